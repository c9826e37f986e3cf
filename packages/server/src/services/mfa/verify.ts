import type { PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { MfaFactorRow } from "../../storage/repos/mfa-factors.js";
import type { RequestMeta } from "../auth/scope.js";
import type { CodeKind } from "../codes/engine.js";
import { type MfaDeps, profileOf } from "./deps.js";
import { newRecoveryCode, recoveryHasher } from "./recovery.js";
import { totpStepOf } from "./totp.js";

/** A second factor the user typed: a TOTP code, the recovery code, or an SMS / email code. */
export type FactorProof =
  | { kind: "OTP"; code: string }
  | { kind: "RECOVERY"; code: string }
  | { kind: "SMS" | "EMAIL"; code: string };

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

  async function record(s: MfaSubject, method: string, success: boolean, reason: string | null) {
    await deps.loginHistory.recordAttempt({
      poolId: s.poolId,
      userId: s.userId,
      appId: s.meta.appId ?? "",
      ip: s.meta.ip,
      userAgent: s.meta.userAgent,
      method,
      success,
      reason,
    });
  }

  async function factorOf(s: MfaSubject, type: string): Promise<MfaFactorRow> {
    const row = await deps.repos.mfaFactors.findUserFactorByType(s.poolId, s.userId, type);
    if (!row) throw new ApiError(type === "OTP" ? "MFA_TOTP_NOT_ENROLLED" : "MFA_FACTOR_NOT_FOUND");
    return row;
  }

  /** A right code whose step is after the last one used claims that step (atomic, so once). */
  async function checkTotp(row: MfaFactorRow, code: string): Promise<boolean> {
    if (!row.secret_sealed) return false;
    const secret = deps.box.open("totp-secret", row.id, row.secret_sealed);
    const now = deps.clock.now();
    const step = totpStepOf(secret, code.trim(), now);
    if (step === undefined || step <= row.last_step) return false;
    return (await deps.repos.mfaFactors.claimTotpStep(row.id, step, now)) === 1;
  }

  async function checkRecovery(row: MfaFactorRow, code: string): Promise<string | undefined> {
    const oldHash = hashRecovery(code);
    if (!row.recovery_hash || row.recovery_hash !== oldHash) return undefined;
    const fresh = newRecoveryCode();
    const moved = await deps.repos.mfaFactors.rotateRecoveryHash(
      row.id,
      oldHash,
      hashRecovery(fresh),
      deps.clock.now(),
    );
    return moved === 1 ? fresh : undefined;
  }

  async function checkSentCode(s: MfaSubject, row: MfaFactorRow, code: string): Promise<boolean> {
    const profile = profileOf(row);
    const kind: CodeKind = row.factor_type === "SMS" ? "sms" : "email";
    const target = kind === "sms" ? profile.e164 : profile.email;
    if (!target) return false;
    try {
      await deps.codes.verifyAndConsume(
        { poolId: s.poolId, kind, target },
        [MFA_VERIFY_CHANNEL],
        code,
        s.settings,
      );
    } catch (err) {
      if (err instanceof ApiError && (err.key === "CODE_WRONG" || err.key === "CODE_EXPIRED")) return false;
      throw err;
    }
    await deps.repos.mfaFactors.markFactorVerified(row.id, deps.clock.now());
    return true;
  }

  return {
    /** Throws MFA_TOTP_WRONG / MFA_RECOVERY_CODE_WRONG / CODE_WRONG for a wrong proof, MFA_LOCKED over the limit. */
    async verify(s: MfaSubject, proof: FactorProof): Promise<FactorVerified> {
      const row = await factorOf(s, proof.kind === "RECOVERY" ? "OTP" : proof.kind);
      const settle = await deps.attempts.reserve(s.poolId, s.userId);
      const method = `mfa:${proof.kind.toLowerCase()}`;
      let verified: FactorVerified | undefined;
      if (proof.kind === "OTP") {
        if (await checkTotp(row, proof.code)) verified = { amr: "otp" };
      } else if (proof.kind === "RECOVERY") {
        const fresh = await checkRecovery(row, proof.code);
        if (fresh) verified = { amr: "otp", newRecoveryCode: fresh };
      } else if (await checkSentCode(s, row, proof.code)) {
        verified = { amr: proof.kind === "SMS" ? "sms" : "email" };
      }
      await record(s, method, verified !== undefined, verified ? null : "wrong_code");
      if (verified) {
        await settle();
        return verified;
      }
      throw new ApiError(
        proof.kind === "OTP"
          ? "MFA_TOTP_WRONG"
          : proof.kind === "RECOVERY"
            ? "MFA_RECOVERY_CODE_WRONG"
            : "CODE_WRONG",
      );
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
