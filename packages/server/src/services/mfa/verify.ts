import type { PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { allOrNothing, type Step, StepFailed } from "../../storage/repos/all-or-nothing.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { MfaFactorRow } from "../../storage/repos/mfa-factors.js";
import type { LoginAttempt } from "../auth/login-history.js";
import type { RequestMeta } from "../auth/scope.js";
import type { CodeKind } from "../codes/engine.js";
import type { AdmittedAttempt } from "./attempts.js";
import { factorEventData, type MfaDeps, profileOf } from "./deps.js";
import { newRecoveryCode, recoveryHasher } from "./recovery.js";
import { totpStepOf } from "./totp.js";

/** A second factor the user typed: a TOTP code, the recovery code, or an SMS / email code. */
export type FactorProof =
  | { kind: "OTP"; code: string }
  | { kind: "RECOVERY"; code: string }
  | { kind: "SMS" | "EMAIL"; code: string };

/** A second factor judged outside the MFA service: `check` throws when it is wrong. */
export interface OutsideFactorProof {
  kind: "PASSKEY";
  check(): Promise<void>;
}

export interface MfaSubject {
  poolId: string;
  userId: string;
  settings: PoolSettings;
  meta: RequestMeta;
}

/** What a right proof adds to the tokens' `amr`, and a new recovery code when the old one was used. */
export interface FactorVerified {
  amr: "otp" | "sms" | "email";
  newRecoveryCode?: string;
}

/** The channel second-factor codes are sent on: never a sign-in code's channel (docs/mfa.md). */
export const MFA_VERIFY_CHANNEL = "CHANNEL_VERIFY_MFA";

/**
 * Verifies one second factor of a user (docs/mfa.md §Verifying): the seam the sign-in steps call
 * (the API's MFA step and the hosted pages). Every attempt counts toward the one per-user limit
 * and is written to the login history.
 */
export function createFactorVerifier(deps: MfaDeps) {
  const hashRecovery = recoveryHasher(deps.secret);

  function entry(s: MfaSubject, proof: { kind: string }, success: boolean): LoginAttempt {
    return {
      poolId: s.poolId,
      userId: s.userId,
      appId: s.meta.appId ?? "",
      ip: s.meta.ip,
      userAgent: s.meta.userAgent,
      method: `mfa:${proof.kind.toLowerCase()}`,
      success,
      reason: success ? null : "wrong_code",
    };
  }

  /** GenAuth's `mfa:verified`, in the commit that accepts the code. */
  const emitVerified = (repos: Repositories, s: MfaSubject, factorType: string) =>
    deps.emit(repos, s.meta.origin, {
      poolId: s.poolId,
      userId: s.userId,
      name: "mfa:verified",
      data: factorEventData(s.userId, factorType, undefined, s.meta.appId),
    });

  async function factorOf(s: MfaSubject, type: string): Promise<MfaFactorRow> {
    const row = await deps.repos.mfaFactors.findUserFactorByType(s.poolId, s.userId, type);
    if (!row) throw new ApiError(type === "OTP" ? "MFA_TOTP_NOT_ENROLLED" : "MFA_FACTOR_NOT_FOUND");
    return row;
  }

  /**
   * The user's OTP factor and the attempt counter's verdict: one statement when the counter is in
   * the database (docs/performance.md §The MFA lines), else the two reads side by side.
   */
  async function otpFactorAdmitted(
    s: MfaSubject,
  ): Promise<{ factor: MfaFactorRow; admitted: AdmittedAttempt }> {
    const counterKey = deps.attempts.keyInDatabase(s.poolId, s.userId);
    if (counterKey !== undefined) {
      const now = deps.clock.now();
      const found = await deps.repos.mfaFactors.findUserFactorByTypeWithCounter(
        s.poolId,
        s.userId,
        "OTP",
        counterKey,
        now,
      );
      if (!found) throw new ApiError("MFA_TOTP_NOT_ENROLLED");
      return {
        factor: found.factor,
        admitted: deps.attempts.admitCount(s.poolId, s.userId, found.counter.count),
      };
    }
    const [found, admitted] = await Promise.allSettled([
      factorOf(s, "OTP"),
      deps.attempts.admit(s.poolId, s.userId),
    ]);
    if (found.status === "rejected") throw found.reason;
    if (admitted.status === "rejected") throw admitted.reason;
    return { factor: found.value, admitted: admitted.value };
  }

  /**
   * The write a right OTP or recovery code makes, judged in memory first: a TOTP code claims its
   * time step (only a step after the last one used, so a code is accepted once, even in parallel on
   * several nodes); the recovery code is replaced if it is still the one just checked.
   */
  function claimFor(row: MfaFactorRow, proof: FactorProof, now: number) {
    if (proof.kind === "OTP") {
      if (!row.secret_sealed) return undefined;
      const secret = deps.box.open("totp-secret", row.id, row.secret_sealed);
      const step = totpStepOf(secret, proof.code.trim(), now);
      if (step === undefined || step <= row.last_step) return undefined;
      return {
        result: { amr: "otp" } as FactorVerified,
        step: deps.repos.mfaFactors.claimTotpStepStep(row.id, step, now),
      };
    }
    const oldHash = hashRecovery(proof.code);
    if (!row.recovery_hash || row.recovery_hash !== oldHash) return undefined;
    const fresh = newRecoveryCode();
    return {
      result: { amr: "otp", newRecoveryCode: fresh } as FactorVerified,
      step: deps.repos.mfaFactors.rotateRecoveryHashStep(row.id, oldHash, hashRecovery(fresh), now),
    };
  }

  /**
   * One all-or-nothing batch for a right code (one statement on PostgreSQL): the claim, the
   * login-history row, `mfa:verified` and the counter's clear when earlier codes were wrong. False
   * when the claim moved nothing (the step or the recovery code was used meanwhile): nothing kept.
   */
  async function commitRight(
    s: MfaSubject,
    proof: FactorProof,
    claim: Step,
    clearSteps: Step[],
  ): Promise<boolean> {
    try {
      await allOrNothing(deps.db, [
        claim,
        deps.loginHistory.attemptStep(entry(s, proof, true)),
        deps.emit.step(deps.repos, s.meta.origin, {
          poolId: s.poolId,
          userId: s.userId,
          name: "mfa:verified",
          data: factorEventData(s.userId, "OTP", undefined, s.meta.appId),
        }),
        ...clearSteps,
      ]);
      return true;
    } catch (err) {
      if (err instanceof StepFailed && err.index === 0) return false;
      throw err;
    }
  }

  /** A wrong proof: counted (MFA_LOCKED when parallel ones passed the limit first), recorded, refused. */
  async function refuse(s: MfaSubject, proof: FactorProof, counted: boolean): Promise<never> {
    if (!counted) await deps.attempts.reserve(s.poolId, s.userId);
    await deps.loginHistory.recordAttempt(entry(s, proof, false));
    throw new ApiError(
      proof.kind === "OTP"
        ? "MFA_TOTP_WRONG"
        : proof.kind === "RECOVERY"
          ? "MFA_RECOVERY_CODE_WRONG"
          : "CODE_WRONG",
    );
  }

  /** An SMS / email code on CHANNEL_VERIFY_MFA, spent in the same commit as the rest. */
  async function sentCodeRight(s: MfaSubject, row: MfaFactorRow, proof: FactorProof) {
    const profile = profileOf(row);
    const kind: CodeKind = row.factor_type === "SMS" ? "sms" : "email";
    const target = kind === "sms" ? profile.e164 : profile.email;
    if (!target) return false;
    const check = {
      target: { poolId: s.poolId, kind, target },
      channels: [MFA_VERIFY_CHANNEL],
      code: proof.code,
    };
    try {
      await deps.codes.spendWith([check], async (repos) => {
        await repos.mfaFactors.markFactorVerified(row.id, deps.clock.now());
        await deps.loginHistory.recordAttempt(entry(s, proof, true), repos);
        await emitVerified(repos, s, row.factor_type);
      });
      return true;
    } catch (err) {
      if (err instanceof ApiError && (err.key === "CODE_WRONG" || err.key === "CODE_EXPIRED")) return false;
      throw err;
    }
  }

  return {
    /** Throws MFA_TOTP_WRONG / MFA_RECOVERY_CODE_WRONG / CODE_WRONG for a wrong proof, MFA_LOCKED over the limit. */
    async verify(s: MfaSubject, proof: FactorProof): Promise<FactorVerified> {
      if (proof.kind === "SMS" || proof.kind === "EMAIL") {
        const row = await factorOf(s, proof.kind);
        const attempt = await deps.attempts.reserve(s.poolId, s.userId);
        if (!(await sentCodeRight(s, row, proof))) return refuse(s, proof, true);
        await attempt.succeeded();
        return { amr: proof.kind === "SMS" ? "sms" : "email" };
      }
      // Judged in memory: the counter is read (the lock refuses right codes too), and written only
      // for a wrong code (docs/mfa.md §Attempts).
      const { factor, admitted } = await otpFactorAdmitted(s);
      const claim = claimFor(factor, proof, deps.clock.now());
      if (!claim || !(await commitRight(s, proof, claim.step, admitted.clearSteps))) {
        return refuse(s, proof, false);
      }
      await admitted.afterCommit();
      return claim.result;
    },

    /**
     * A second factor another capability checks (a passkey: `check` verifies the assertion and
     * throws when it is wrong), under the same rules as a code: the attempt counts toward the one
     * limit before the check, and is written to the login history (`mfa:passkey`).
     */
    async verifyOutside(s: MfaSubject, proof: OutsideFactorProof): Promise<void> {
      const attempt = await deps.attempts.reserve(s.poolId, s.userId);
      const kind = { kind: proof.kind };
      try {
        await proof.check();
      } catch (err) {
        await deps.loginHistory.recordAttempt({
          ...entry(s, kind, false),
          reason: err instanceof ApiError ? err.key.toLowerCase() : "wrong_proof",
        });
        throw err;
      }
      await deps.db.transaction().execute(async (trx) => {
        const repos = repositories(trx);
        await deps.loginHistory.recordAttempt(entry(s, kind, true), repos);
        await emitVerified(repos, s, proof.kind);
      });
      await attempt.succeeded();
    },

    /** Sends a CHANNEL_VERIFY_MFA code to the user's SMS or EMAIL factor. */
    async sendCode(s: MfaSubject, kind: "SMS" | "EMAIL"): Promise<void> {
      const profile = profileOf(await factorOf(s, kind));
      const target = kind === "SMS" ? profile.e164 : profile.email;
      if (!target) throw new ApiError("MFA_FACTOR_NOT_FOUND");
      await deps.codes.send({
        poolId: s.poolId,
        kind: kind === "SMS" ? "sms" : "email",
        target,
        channel: MFA_VERIFY_CHANNEL,
        settings: s.settings,
        clientIp: s.meta.ip ?? undefined,
      });
    },
  };
}
export type FactorVerifier = ReturnType<typeof createFactorVerifier>;
