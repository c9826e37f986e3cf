import type {
  MfaInfoData,
  MfaTokenIntrospectResponse,
  UserIdType,
  UserMfaRespDto,
} from "@gatehouse/protocol";
import type { UserRow } from "../../storage/repos/users.js";
import { loadPoolSettings } from "../admin/users/create.js";
import type { EventOrigin } from "../events/scope.js";
import { requireUserByIdType } from "../users/lookup.js";
import { createMfaAdmin } from "./admin.js";
import type { FactorType, MfaDeps } from "./deps.js";
import { createFactorManagement } from "./factors.js";
import { createMfaTokens, type MfaSignIn } from "./mfa-token.js";
import { createMfaPolicy, owedFor, type SecondFactorsOwed } from "./policy.js";
import { mfaInfoData } from "./trigger-data.js";
import { createFactorVerifier, type MfaSubject } from "./verify.js";

export { createMfaAttempts } from "./attempts.js";
export type { FactorType, MfaDeps } from "./deps.js";
export type { MfaUser } from "./factors.js";
export type { MfaSignIn, MfaTokenClaims } from "./mfa-token.js";
export type { MfaAction, MfaPolicy, MfaPolicyName, SecondFactorsOwed } from "./policy.js";
export type { FactorProof, FactorVerified, MfaSubject, OutsideFactorProof } from "./verify.js";

/** The MFA capability: policy, factor management, verification, MFA tokens, the admin side (services/mfa). */
export function createMfa(deps: MfaDeps) {
  const factors = createFactorManagement(deps);
  const verifier = createFactorVerifier(deps);
  const tokens = createMfaTokens({ secret: deps.secret, clock: deps.clock });
  const { policyFor, policyForUser } = createMfaPolicy(deps);
  const admin = createMfaAdmin(deps, tokens);

  return {
    ...factors,
    verifyFactor: verifier.verify,
    /** A passkey as the second factor: counted and recorded like a code (docs/mfa.md §Passkey). */
    verifyOutsideFactor: verifier.verifyOutside,
    sendVerifyCode: verifier.sendCode,
    tokens,
    admin,

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
    /** policyFor, then the user's own switches (set-mfa-status). */
    policyForUser,

    /**
     * Seam: what a sign-in through `appId` does after the user's first factor — nothing, prove one
     * of `enrolled`, or enrol one of `enrollable` (the one home of this rule: policy.ts `owedFor`).
     */
    async secondFactorsOwed(poolId: string, userId: string, appId?: string): Promise<SecondFactorsOwed> {
      const [policy, rows] = await Promise.all([
        policyForUser(poolId, userId, appId),
        deps.repos.mfaFactors.listUserFactors(poolId, userId),
      ]);
      return owedFor(
        policy,
        rows.map((r) => r.factor_type as FactorType),
      );
    },

    /**
     * After a first factor at `/api/v3/signin`: nothing when the pool's `apiSignin` is off or no
     * second factor is owed; else the step's data with a fresh MFA token carrying `signIn`, and
     * whether the policy (1636) or the user's own factor (1635) asks for it.
     */
    async apiSignInStep(
      user: UserRow,
      signIn: MfaSignIn & { appId: string },
    ): Promise<{ byPolicy: boolean; data: MfaInfoData } | undefined> {
      const pool = await policyFor(user.pool_id, signIn.appId);
      if (!pool.apiSignin || pool.policy === "off") return undefined;
      const [policy, rows] = await Promise.all([
        policyForUser(user.pool_id, user.id, signIn.appId),
        deps.repos.mfaFactors.listUserFactors(user.pool_id, user.id),
      ]);
      const owed = owedFor(
        policy,
        rows.map((r) => r.factor_type as FactorType),
      );
      if (owed.action === "none") return undefined;
      const token = tokens.issue(user.pool_id, user.id, signIn);
      return { byPolicy: policy.policy === "required", data: mfaInfoData(user, policy, rows, token) };
    },

    /** `POST /mfa/token/introspection`: a token that completed its sign-in is no longer active. */
    async introspect(token: string | undefined): Promise<MfaTokenIntrospectResponse> {
      const claims = token ? tokens.read(token) : undefined;
      if (!claims || (await deps.repos.mfaFactors.isMfaTokenSpent(claims.jti))) return { active: false };
      return tokens.introspect(token);
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

    /** An administrator removes every factor of a user and lifts the MFA lock (`mfa:reset`). */
    resetUserFactors: (
      poolId: string,
      origin: EventOrigin,
      userId: string,
      userIdType?: UserIdType,
    ): Promise<number> => admin.resetUserFactors(poolId, origin, userId, userIdType),
  };
}
export type Mfa = ReturnType<typeof createMfa>;
