import { createHmac } from "node:crypto";
import type { MfaStepTokenData, MfaStepTotpAssociateData } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import { StepFailed } from "../../storage/repos/all-or-nothing.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { MfaFactorRow } from "../../storage/repos/mfa-factors.js";
import { loadPoolSettings } from "../admin/users/create.js";
import type { Emit } from "../events/emit.js";
import type { FactorType, Mfa, MfaSubject, MfaTokenClaims } from "../mfa/index.js";
import { owedFor } from "../mfa/policy.js";
import { amrOf } from "../tokens/auth-context.js";
import { grantScope } from "../tokens/claims.js";
import type { Tokens } from "../tokens/tokens.js";
import { normalizeEmail } from "../users/email.js";
import { normalizePhone } from "../users/phone.js";
import type { RequestMeta } from "./scope.js";
import { loginSteps } from "./sign-in.js";

/**
 * What the MFA step's caller typed (the bodies of `/api/v2/applications/mfa/*`,
 * `/api/v2/mfa/totp/recovery` and `/api/v2/mfa/totp/associate/confirm`: `OTP_ENROL`).
 */
export type StepProof =
  | { kind: "OTP"; code: string }
  | { kind: "OTP_ENROL"; code: string }
  | { kind: "RECOVERY"; code: string }
  | { kind: "SMS"; code: string; phone: string; phoneCountryCode?: string }
  | { kind: "EMAIL"; code: string; email: string }
  | PasskeyStepProof;

/** Who a passkey of the MFA step must belong to, and what its ticket is bound to (the MFA token). */
export interface PasskeyStepSubject {
  poolId: string;
  userId: string;
  /** The MFA token's `jti`. */
  jti: string;
}

/**
 * A passkey's assertion (`POST /api/v3/webauthn/authentication` with a ticket of
 * `webauthn/mfa-verify/initialize`): `check` is the passkeys service's, throwing when it is wrong.
 */
export interface PasskeyStepProof {
  kind: "PASSKEY";
  check(who: PasskeyStepSubject): Promise<void>;
}

export interface MfaStepDeps {
  repos: Repositories;
  mfa: Mfa;
  tokens: Tokens;
  emit: Emit;
  clock: Clock;
  /** Keys the enrolment token an MFA token's authenticator is pending under. */
  secret: string;
}

/** Spent MFA tokens are swept past their expiry on the first completion and every this many after. */
const PURGE_EVERY = 500;

const tokenInvalid = () => new ApiError("MFA_TOKEN_INVALID");

/**
 * The token's user deleted since the step read them (docs/behaviour-and-errors.md §1.10): a write
 * that refers to them (an enrolled factor, a pending one) kept nothing; the token answers invalid.
 */
async function invalidIfGone<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isForeignKeyViolation(err)) throw tokenInvalid();
    throw err;
  }
}

/**
 * The second half of an API sign-in (docs/mfa.md §The API's MFA step): the MFA token names who
 * passed the first factor, for which application and scope; a right second factor spends the
 * token and signs the user in, once.
 */
export function createMfaStep(deps: MfaStepDeps) {
  let completions = 0;

  /** A live, unspent token with its application and user, or MFA_TOKEN_INVALID. */
  async function signInOf(mfaToken: string | undefined) {
    const claims = mfaToken ? deps.mfa.tokens.read(mfaToken) : undefined;
    if (!claims?.appId) throw tokenInvalid();
    const [spent, app, user] = await Promise.all([
      deps.repos.mfaFactors.isMfaTokenSpent(claims.jti),
      deps.repos.applications.findApplicationById(claims.appId),
      deps.repos.users.findUserById(claims.poolId, claims.userId),
    ]);
    if (spent || !app || app.pool_id !== claims.poolId || !user) throw tokenInvalid();
    if (user.status !== "Activated") throw new ApiError("ACCOUNT_SUSPENDED");
    return { claims, app, user };
  }

  /**
   * The authenticator an MFA token enrols is pending under a token derived from the MFA token's
   * `jti` (GenAuth's confirm names no enrolment): only this server can name it, once per MFA token.
   */
  const pendingOtpToken = (claims: MfaTokenClaims) =>
    createHmac("sha256", deps.secret).update(`mfa-step-otp:${claims.jti}`).digest("base64url");

  /** An authenticator may be enrolled in the step only by a user who owes an enrolment and may pick OTP. */
  async function assertMayEnrolOtp(subject: MfaSubject, claims: MfaTokenClaims) {
    const [policy, factors] = await Promise.all([
      deps.mfa.policyForUser(subject.poolId, subject.userId, claims.appId),
      deps.repos.mfaFactors.listUserFactors(subject.poolId, subject.userId),
    ]);
    const owed = owedFor(
      policy,
      factors.map((f) => f.factor_type as FactorType),
    );
    if (owed.action !== "enrol" || !owed.enrollable.includes("OTP"))
      throw new ApiError("MFA_FACTOR_NOT_OWED");
  }

  /** A sign-in whose first factor was a passkey is not proved again by a passkey: one key, one factor. */
  function assertPasskeyNotFirst(claims: MfaTokenClaims) {
    if (claims.amr?.includes("hwk")) throw new ApiError("MFA_FACTOR_NOT_OWED");
  }

  /** The MFA service's view of the token's user, through the token's application. */
  async function subjectOf(mfaToken: string | undefined, meta: RequestMeta) {
    const { claims, app, user } = await signInOf(mfaToken);
    const subject: MfaSubject = {
      poolId: user.pool_id,
      userId: user.id,
      settings: await loadPoolSettings(deps.repos, user.pool_id),
      meta: { ...meta, appId: app.id },
    };
    return { claims, app, user, subject };
  }

  /** Whether the typed phone or email is the factor's own address. */
  function sameAddress(row: MfaFactorRow, proof: StepProof, defaultCountryCode: string): boolean {
    const profile = JSON.parse(row.profile) as { e164?: string; email?: string };
    if (proof.kind === "SMS")
      return normalizePhone(proof.phone, proof.phoneCountryCode, defaultCountryCode).e164 === profile.e164;
    if (proof.kind === "EMAIL") return normalizeEmail(proof.email) === profile.email;
    return true;
  }

  /**
   * Proves the second factor: one the user has and that counts for the application, or — only
   * when the user has none that counts (the policy's `enrol`) — enrols an SMS / email factor with
   * the same code. A user who has a factor must prove it: a password alone never adds a new one.
   */
  async function prove(subject: MfaSubject, claims: MfaTokenClaims, proof: StepProof) {
    if (proof.kind === "PASSKEY") {
      // A passkey is a factor the user has whatever the policy's list (docs/mfa.md §The API's MFA
      // step): counted toward the one MFA limit, recorded and `mfa:verified` by the MFA service.
      assertPasskeyNotFirst(claims);
      const who = { poolId: subject.poolId, userId: subject.userId, jti: claims.jti };
      await deps.mfa.verifyOutsideFactor(subject, { kind: "PASSKEY", check: () => proof.check(who) });
      return { amr: "hwk" as const };
    }
    if (proof.kind === "OTP_ENROL") {
      await assertMayEnrolOtp(subject, claims);
      await deps.mfa.enrollFactor(
        { ...subject, sessionId: "" },
        {
          factorType: "OTP",
          enrollmentToken: pendingOtpToken(claims),
          enrollmentData: { passCode: proof.code },
        },
      );
      return { amr: "otp" as const };
    }
    const type: FactorType = proof.kind === "RECOVERY" ? "OTP" : proof.kind;
    const [policy, factors] = await Promise.all([
      deps.mfa.policyForUser(subject.poolId, subject.userId, claims.appId),
      deps.repos.mfaFactors.listUserFactors(subject.poolId, subject.userId),
    ]);
    if (!policy.enabledFactors.includes(type)) throw new ApiError("MFA_FACTOR_NOT_OWED");
    const row = factors.find((f) => f.factor_type === type);
    if (row) {
      if (!sameAddress(row, proof, subject.settings.defaultPhoneCountryCode))
        throw new ApiError("MFA_FACTOR_NOT_OWED");
      return deps.mfa.verifyFactor(subject, { kind: proof.kind, code: proof.code });
    }
    const owed = owedFor(
      policy,
      factors.map((f) => f.factor_type as FactorType),
    );
    if (owed.action !== "enrol") throw new ApiError("MFA_FACTOR_NOT_OWED");
    if (proof.kind === "SMS") {
      const profile = { phoneNumber: proof.phone, phoneCountryCode: proof.phoneCountryCode };
      await deps.mfa.enrolByCode(subject, "SMS", profile, proof.code);
      return { amr: "sms" as const };
    }
    if (proof.kind === "EMAIL") {
      await deps.mfa.enrolByCode(subject, "EMAIL", { email: proof.email }, proof.code);
      return { amr: "email" as const };
    }
    throw new ApiError(type === "OTP" ? "MFA_TOTP_NOT_ENROLLED" : "MFA_FACTOR_NOT_OWED");
  }

  return {
    /**
     * `POST /api/v3/webauthn/mfa-verify/initialize`: whose passkeys may prove this MFA token's
     * step, the token live and unspent (MFA_TOKEN_INVALID otherwise).
     */
    async passkeySubject(mfaToken: string | undefined): Promise<PasskeyStepSubject> {
      const { claims, user } = await signInOf(mfaToken);
      assertPasskeyNotFirst(claims);
      return { poolId: user.pool_id, userId: user.id, jti: claims.jti };
    },

    /**
     * `POST /api/v2/mfa/totp/associate`: a new authenticator for a user who must enrol a factor
     * and may pick OTP (docs/mfa.md §The API's MFA step). Pending until confirm proves a code, for
     * the MFA token's remaining life; asked again, a fresh secret replaces it.
     */
    async associateTotp(mfaToken: string | undefined, meta: RequestMeta): Promise<MfaStepTotpAssociateData> {
      const { claims, subject } = await subjectOf(mfaToken, meta);
      await assertMayEnrolOtp(subject, claims);
      const ttlSeconds = Math.max(1, Math.floor((claims.exp * 1000 - deps.clock.now()) / 1000));
      const sent = await invalidIfGone(() =>
        deps.mfa.sendEnrollFactorRequest(
          { ...subject, sessionId: "" },
          { factorType: "OTP", profile: {} },
          { ttlSeconds, enrollmentToken: pendingOtpToken(claims) },
        ),
      );
      const otp = sent.otpData;
      if (!otp) throw new Error("an OTP enrolment comes with its otpData");
      return {
        authenticator_type: "totp",
        secret: new URL(otp.qrCodeUri).searchParams.get("secret") ?? "",
        qrcode_uri: otp.qrCodeUri,
        qrcode_data_url: otp.qrCodeDataUrl,
        recovery_code: otp.recoveryCode,
      };
    },

    /** `POST /api/v2/applications/mfa/{totp|sms|email}/verify`, `/api/v2/mfa/totp/recovery`, `…/associate/confirm`. */
    async complete(
      mfaToken: string | undefined,
      proof: StepProof,
      meta: RequestMeta,
    ): Promise<MfaStepTokenData> {
      const { claims, app, user, subject } = await subjectOf(mfaToken, meta);
      const verified = await invalidIfGone(() => prove(subject, claims, proof));
      const grant = {
        app,
        user,
        scope: grantScope(claims.scope),
        ip: meta.ip,
        userAgent: meta.userAgent,
        // A token of get-mfa-trigger-data names no first factor: the second is then the only one.
        amr: claims.amr?.[0] ? amrOf(claims.amr[0], verified.amr) : [verified.amr],
      };
      let set: Awaited<ReturnType<Tokens["issueForLogin"]>>;
      try {
        set = await deps.tokens.issueForLogin(grant, [
          deps.repos.mfaFactors.spendMfaTokenStep(claims.jti, user.pool_id, claims.exp * 1000),
          ...loginSteps(deps, user, app.id, meta),
        ]);
      } catch (err) {
        // Another request completed the sign-in with this token a moment ago, or the user was
        // deleted since the token was read (the session refers to the account).
        if (err instanceof StepFailed || isForeignKeyViolation(err)) throw tokenInvalid();
        throw err;
      }
      if (++completions % PURGE_EVERY === 1)
        await deps.repos.mfaFactors.deleteMfaTokensExpiredBefore(deps.clock.now());
      const data: MfaStepTokenData = {
        access_token: set.access_token,
        token_type: set.token_type,
        expire_in: set.expires_in,
        scope: set.scope,
      };
      if (set.id_token) data.id_token = set.id_token;
      if (set.refresh_token) data.refresh_token = set.refresh_token;
      if ("newRecoveryCode" in verified && verified.newRecoveryCode)
        data.recoveryCode = verified.newRecoveryCode;
      return data;
    },
  };
}
export type MfaStep = ReturnType<typeof createMfaStep>;
