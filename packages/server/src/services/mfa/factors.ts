import { createRequire } from "node:module";
import type {
  EnrollFactorDto,
  SendEnrollFactorRequestDataDto,
  SendEnrollFactorRequestDto,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import { repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { CodeCheck } from "../codes/engine.js";
import { withEvents } from "../events/emit.js";
import { normalizeEmail } from "../users/email.js";
import { normalizePhone } from "../users/phone.js";
import {
  FACTOR_TYPES,
  type FactorType,
  factorDto,
  factorEventData,
  type MfaDeps,
  type StoredProfile,
} from "./deps.js";
import { createMfaPolicy } from "./policy.js";
import { newRecoveryCode, recoveryHasher } from "./recovery.js";
import { newTotpSecret, totpStepOf, totpUri } from "./totp.js";
import { MFA_VERIFY_CHANNEL, type MfaSubject } from "./verify.js";

type QrCode = typeof import("qrcode");
let qrCodeLibrary: QrCode | undefined;
/** qrcode (and pngjs under it, ~1 MB of heap) is loaded at the first TOTP enrolment, not at start. */
function qrCode(): QrCode {
  qrCodeLibrary ??= createRequire(import.meta.url)("qrcode") as QrCode;
  return qrCodeLibrary;
}

/** GenAuth's enrolment window: the token and the pending secret live 60 s. */
export const ENROLLMENT_TTL_S = 60;
/** reset-factor needs a second factor or a sign-in at most this old (docs/mfa.md §Reset). */
export const FRESH_PROOF_MS = 5 * 60_000;
const ENROLL_CHANNEL = "CHANNEL_BIND_MFA";

/** What a pending enrolment remembers, inside its one-time token. */
interface PendingEnrollment {
  factorType: FactorType;
  factorId: string;
  profile: StoredProfile;
  secretSealed?: string;
  recoveryHash?: string;
}

export interface MfaUser extends MfaSubject {
  sessionId: string;
}

function assertSupported(type: string): asserts type is FactorType {
  if (!FACTOR_TYPES.includes(type as FactorType)) throw new ApiError("MFA_FACTOR_UNSUPPORTED");
}

/** The user's factor management (docs/mfa.md §Factors): enrol with a code, list, reset. */
export function createFactorManagement(deps: MfaDeps) {
  const hashRecovery = recoveryHasher(deps.secret);

  const { policyForUser } = createMfaPolicy(deps);

  /** The factor types that count for this user through the request's application (docs/mfa.md §Policy). */
  async function enabledFactors(who: MfaSubject): Promise<FactorType[]> {
    return (await policyForUser(who.poolId, who.userId, who.meta.appId)).enabledFactors;
  }

  async function assertEnabled(who: MfaSubject, type: FactorType) {
    if (!(await enabledFactors(who)).includes(type)) throw new ApiError("MFA_FACTOR_NOT_ENABLED");
  }

  async function assertNotEnrolled(who: MfaUser, type: FactorType) {
    if (await deps.repos.mfaFactors.findUserFactorByType(who.poolId, who.userId, type))
      throw new ApiError("MFA_FACTOR_ENROLLED");
  }

  function accountLabel(user: UserRow): string {
    return user.email ?? user.phone ?? user.username ?? user.id;
  }

  async function otpEnrollment(who: MfaUser, factorId: string) {
    const [pool, user] = await Promise.all([
      deps.repos.pools.findPoolById(who.poolId),
      deps.repos.users.findUserById(who.poolId, who.userId),
    ]);
    if (!user) throw new ApiError("TOKEN_INVALID");
    const secret = newTotpSecret();
    const recoveryCode = newRecoveryCode();
    const qrCodeUri = totpUri(secret, pool?.name ?? "Gatehouse", accountLabel(user));
    const otpData = { qrCodeUri, qrCodeDataUrl: await qrCode().toDataURL(qrCodeUri), recoveryCode };
    const pending: PendingEnrollment = {
      factorType: "OTP",
      factorId,
      profile: {},
      secretSealed: deps.box.seal("totp-secret", factorId, secret),
      recoveryHash: hashRecovery(recoveryCode),
    };
    return { pending, otpData };
  }

  async function sentCodeEnrollment(
    who: MfaUser,
    type: "SMS" | "EMAIL",
    factorId: string,
    body: SendEnrollFactorRequestDto,
  ): Promise<PendingEnrollment> {
    const p = body.profile ?? {};
    let profile: StoredProfile;
    if (type === "SMS") {
      if (!p.phoneNumber) throw new ApiError("MFA_PROFILE_REQUIRED");
      const phone = normalizePhone(p.phoneNumber, p.phoneCountryCode, who.settings.defaultPhoneCountryCode);
      profile = {
        phoneNumber: phone.national ?? p.phoneNumber,
        phoneCountryCode: phone.countryCode,
        e164: phone.e164,
      };
    } else {
      if (!p.email) throw new ApiError("MFA_PROFILE_REQUIRED");
      profile = { email: normalizeEmail(p.email) };
    }
    await deps.codes.send({
      poolId: who.poolId,
      kind: type === "SMS" ? "sms" : "email",
      target: (type === "SMS" ? profile.e164 : profile.email) as string,
      channel: ENROLL_CHANNEL,
      settings: who.settings,
      clientIp: who.meta.ip ?? undefined,
    });
    return { factorType: type, factorId, profile };
  }

  /** The factor row, inserted in the caller's transaction; a second one of a type is a conflict. */
  async function insertFactor(
    repos: ReturnType<typeof repositories>,
    who: MfaUser,
    p: PendingEnrollment,
    step: number,
  ) {
    try {
      await repos.mfaFactors.insertFactor({
        id: p.factorId,
        pool_id: who.poolId,
        user_id: who.userId,
        factor_type: p.factorType,
        profile: JSON.stringify(p.profile),
        secret_sealed: p.secretSealed ?? null,
        recovery_hash: p.recoveryHash ?? null,
        last_step: step,
        last_verified_at: deps.clock.now(),
        created_at: deps.clock.now(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError("MFA_FACTOR_ENROLLED");
      throw err;
    }
    await deps.emit(repos, who.meta.origin, {
      poolId: who.poolId,
      userId: who.userId,
      name: "mfa:enrolled",
      data: factorEventData(who.userId, p.factorType, p.factorId, who.meta.appId),
    });
  }

  const tokenOf = (who: MfaUser, body: EnrollFactorDto) => ({
    purpose: "mfa_enroll" as const,
    poolId: who.poolId,
    userId: who.userId,
    token: body.enrollmentToken,
  });

  async function asEnrollmentError<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ApiError && err.key === "FLOW_TOKEN_INVALID")
        throw new ApiError("MFA_ENROLLMENT_TOKEN_INVALID");
      throw err;
    }
  }

  /** Spends the token in the caller's transaction (one winner among parallel enrolments). */
  async function spendPending(repos: ReturnType<typeof repositories>, who: MfaUser, body: EnrollFactorDto) {
    const spent = await asEnrollmentError(() =>
      deps.flowTokens.spend<PendingEnrollment>(repos, tokenOf(who, body)),
    );
    return spent.payload;
  }

  /** Reads the pending enrolment without spending it: a wrong code leaves it for another try. */
  async function peekPending(who: MfaUser, body: EnrollFactorDto): Promise<PendingEnrollment> {
    const { payload: pending } = await asEnrollmentError(() =>
      deps.flowTokens.peek<PendingEnrollment>(deps.repos, tokenOf(who, body)),
    );
    if (pending.factorType !== body.factorType) throw new ApiError("MFA_ENROLLMENT_TOKEN_INVALID");
    return pending;
  }

  return {
    enabledFactors,

    /** `options.ttlSeconds`: a longer window than GenAuth's 60 s, for the hosted page (scan, then type). */
    async sendEnrollFactorRequest(
      who: MfaUser,
      body: SendEnrollFactorRequestDto,
      options: { ttlSeconds?: number; enrollmentToken?: string } = {},
    ): Promise<SendEnrollFactorRequestDataDto> {
      assertSupported(body.factorType);
      const type = body.factorType;
      await assertEnabled(who, type);
      await assertNotEnrolled(who, type);
      const factorId = newId();
      let otpData: SendEnrollFactorRequestDataDto["otpData"];
      let pending: PendingEnrollment;
      if (type === "OTP") ({ pending, otpData } = await otpEnrollment(who, factorId));
      else pending = await sentCodeEnrollment(who, type, factorId, body);
      const { token } = await deps.flowTokens.issue(deps.repos, {
        purpose: "mfa_enroll",
        poolId: who.poolId,
        userId: who.userId,
        payload: pending,
        ttlSeconds: options.ttlSeconds ?? ENROLLMENT_TTL_S,
        ...(options.enrollmentToken ? { token: options.enrollmentToken } : {}),
      });
      return otpData ? { enrollmentToken: token, otpData } : { enrollmentToken: token };
    },

    async enrollFactor(who: MfaUser, body: EnrollFactorDto): Promise<void> {
      assertSupported(body.factorType);
      const passCode = body.enrollmentData.passCode?.trim() ?? "";
      const pending = await peekPending(who, body);
      if (pending.factorType === "OTP") {
        const secret = deps.box.open("totp-secret", pending.factorId, pending.secretSealed ?? "");
        const attempt = await deps.attempts.reserve(who.poolId, who.userId);
        const step = totpStepOf(secret, passCode, deps.clock.now());
        if (step === undefined) throw new ApiError("MFA_TOTP_WRONG");
        await attempt.succeeded();
        await deps.db.transaction().execute(async (trx) => {
          const repos = repositories(trx);
          await insertFactor(repos, who, await spendPending(repos, who, body), step);
        });
        return;
      }
      const kind = pending.factorType === "SMS" ? "sms" : "email";
      const target = (kind === "sms" ? pending.profile.e164 : pending.profile.email) as string;
      const check: CodeCheck = {
        target: { poolId: who.poolId, kind, target },
        channels: [ENROLL_CHANNEL],
        code: passCode,
      };
      await deps.codes.spendWith([check], async (repos) => {
        await insertFactor(repos, who, await spendPending(repos, who, body), 0);
      });
    },

    /**
     * The MFA step's enrolment of an SMS or email factor, as GenAuth's does it: the code was sent
     * to the new address on CHANNEL_VERIFY_MFA (`send-sms` / `send-email`), and a right code both
     * proves the second factor and stores it. Counts toward the MFA attempt limit like any code.
     */
    async enrolByCode(
      who: MfaSubject,
      type: "SMS" | "EMAIL",
      profile: { phoneNumber?: string; phoneCountryCode?: string; email?: string },
      code: string,
    ): Promise<void> {
      await assertEnabled(who, type);
      await assertNotEnrolled({ ...who, sessionId: "" }, type);
      const factorId = newId();
      let stored: StoredProfile;
      if (type === "SMS") {
        const phone = normalizePhone(
          profile.phoneNumber ?? "",
          profile.phoneCountryCode,
          who.settings.defaultPhoneCountryCode,
        );
        stored = {
          phoneNumber: phone.national ?? profile.phoneNumber,
          phoneCountryCode: phone.countryCode,
          e164: phone.e164,
        };
      } else {
        stored = { email: normalizeEmail(profile.email ?? "") };
      }
      const kind = type === "SMS" ? "sms" : "email";
      const target = (kind === "sms" ? stored.e164 : stored.email) as string;
      const attempt = await deps.attempts.reserve(who.poolId, who.userId);
      await deps.codes.spendWith(
        [{ target: { poolId: who.poolId, kind, target }, channels: [MFA_VERIFY_CHANNEL], code }],
        (repos) =>
          insertFactor(repos, { ...who, sessionId: "" }, { factorType: type, factorId, profile: stored }, 0),
      );
      await attempt.succeeded();
    },

    async listEnrolledFactors(who: MfaSubject) {
      return (await deps.repos.mfaFactors.listUserFactors(who.poolId, who.userId)).map(factorDto);
    },

    async getFactor(who: MfaSubject, factorId: string) {
      const row = await deps.repos.mfaFactors.findUserFactor(who.poolId, who.userId, factorId);
      if (!row) throw new ApiError("MFA_FACTOR_NOT_FOUND");
      return factorDto(row);
    },

    /** The pool's enabled factors the user does not have yet. */
    async listFactorsToEnroll(who: MfaSubject) {
      const have = new Set(
        (await deps.repos.mfaFactors.listUserFactors(who.poolId, who.userId)).map((r) => r.factor_type),
      );
      return (await enabledFactors(who)).filter((t) => !have.has(t)).map((factorType) => ({ factorType }));
    },

    /**
     * A new recovery code for the user's OTP factor, shown once; the old one stops working
     * (docs/mfa.md §Recovery code). The caller asks for a recent sign-in first (the account page).
     */
    async regenerateRecoveryCode(who: MfaSubject): Promise<{ recoveryCode: string }> {
      const row = await deps.repos.mfaFactors.findUserFactorByType(who.poolId, who.userId, "OTP");
      if (!row) throw new ApiError("MFA_TOTP_NOT_ENROLLED");
      const recoveryCode = newRecoveryCode();
      if (
        (await deps.repos.mfaFactors.replaceRecoveryHash(
          who.poolId,
          who.userId,
          row.id,
          hashRecovery(recoveryCode),
        )) !== 1
      )
        throw new ApiError("MFA_TOTP_NOT_ENROLLED");
      return { recoveryCode };
    },

    /**
     * Removes a factor after a fresh proof: a second factor or a sign-in within five minutes.
     * `provenAt` is a later proof the caller saw (the account page's re-authentication, epoch ms).
     */
    async resetFactor(who: MfaUser, factorId: string, provenAt = 0): Promise<void> {
      const factors = await deps.repos.mfaFactors.listUserFactors(who.poolId, who.userId);
      if (!factors.some((f) => f.id === factorId)) throw new ApiError("MFA_FACTOR_NOT_FOUND");
      const since = deps.clock.now() - FRESH_PROOF_MS;
      const session = await deps.repos.sessions.findSessionById(who.sessionId);
      const freshFactor = factors.some((f) => (f.last_verified_at ?? 0) >= since);
      const signedIn = Math.max(session ? Number(session.created_at) : 0, provenAt);
      if (!freshFactor && !(signedIn >= since)) throw new ApiError("MFA_FRESH_PROOF_REQUIRED");
      const type = factors.find((f) => f.id === factorId)?.factor_type ?? "";
      await withEvents(deps.repos, async (tx) => {
        if ((await tx.mfaFactors.deleteUserFactor(who.poolId, who.userId, factorId)) === 0) return;
        await deps.emit(tx, who.meta.origin, {
          poolId: who.poolId,
          userId: who.userId,
          name: "mfa:reset",
          data: factorEventData(who.userId, type, factorId, who.meta.appId),
        });
      });
    },
  };
}
export type FactorManagement = ReturnType<typeof createFactorManagement>;
