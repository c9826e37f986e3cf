import type { UserIdType, UserMfaRespDto } from "@gatehouse/protocol";
import { loadPoolSettings } from "../admin/users/create.js";
import { requireUserByIdType } from "../users/lookup.js";
import type { FactorType, MfaDeps } from "./deps.js";
import { createFactorManagement } from "./factors.js";
import { createMfaTokens } from "./mfa-token.js";
import { createMfaPolicy, owedFor, type SecondFactorsOwed } from "./policy.js";
import { createFactorVerifier, type MfaSubject } from "./verify.js";

export { createMfaAttempts } from "./attempts.js";
export type { MfaDeps } from "./deps.js";
export type { MfaUser } from "./factors.js";
export type { MfaAction, MfaPolicy, MfaPolicyName, SecondFactorsOwed } from "./policy.js";
export type { FactorProof, MfaSubject } from "./verify.js";

/** The MFA capability: factor management, verification, MFA tokens (services/mfa). */
export function createMfa(deps: MfaDeps) {
  const factors = createFactorManagement(deps);
  const verifier = createFactorVerifier(deps);
  const tokens = createMfaTokens({ secret: deps.secret, clock: deps.clock });
  const policyFor = createMfaPolicy(deps);

  return {
    ...factors,
    verifyFactor: verifier.verify,
    sendVerifyCode: verifier.sendCode,
    tokens,

    /** mfa-totp-verify: `{verified}`; a wrong or replayed code is `false`, the lock an error. */
    async totpVerify(who: MfaSubject, totp: string): Promise<{ verified: boolean }> {
      try {
        await verifier.verify(who, { kind: "OTP", code: totp });
        return { verified: true };
      } catch (err) {
        if (err instanceof Error && "key" in err && err.key === "MFA_TOTP_WRONG") return { verified: false };
        throw err;
      }
    },

    /** The pool's MFA settings merged with the application's (docs/mfa.md §Policy). */
    policyFor,

    /**
     * Seam: what a sign-in through `appId` does after the user's first factor — nothing, prove one
     * of `enrolled`, or enrol one of `enrollable` (the one home of this rule: policy.ts `owedFor`).
     */
    async secondFactorsOwed(poolId: string, userId: string, appId?: string): Promise<SecondFactorsOwed> {
      const [policy, rows] = await Promise.all([
        policyFor(poolId, appId),
        deps.repos.mfaFactors.listUserFactors(poolId, userId),
      ]);
      return owedFor(
        policy,
        rows.map((r) => r.factor_type as FactorType),
      );
    },

    /** Whether the user has any factor (get-security-info). */
    async isEnrolled(poolId: string, userId: string): Promise<boolean> {
      return (await deps.repos.mfaFactors.countUserFactors(poolId, userId)) > 0;
    },

    /** get-user-mfa-info (management API): which factor types the user has. */
    async userMfaInfo(poolId: string, userId: string, userIdType?: UserIdType): Promise<UserMfaRespDto> {
      const settings = await loadPoolSettings(deps.repos, poolId);
      const user = await requireUserByIdType(deps.repos, poolId, settings, userId, userIdType);
      const have = new Set(
        (await deps.repos.mfaFactors.listUserFactors(poolId, user.id)).map((r) => r.factor_type),
      );
      const status = (t: string) => (have.has(t) ? "ENABLED" : "DISABLED");
      return {
        totpStatus: status("OTP"),
        faceMfaStatus: "DISABLED",
        smsMfaStatus: status("SMS"),
        emailMfaStatus: status("EMAIL"),
      };
    },

    /** An administrator removes every factor of a user and lifts the MFA lock. */
    async resetUserFactors(poolId: string, userId: string): Promise<number> {
      const n = await deps.repos.mfaFactors.deleteUserFactors(poolId, userId);
      await deps.attempts.clear(poolId, userId);
      return n;
    },
  };
}
export type Mfa = ReturnType<typeof createMfa>;
