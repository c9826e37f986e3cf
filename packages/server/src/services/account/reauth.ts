import type { PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { CodeService } from "../codes/engine.js";
import type { Mfa } from "../mfa/index.js";
import type { BrowserSession, BrowserSessions } from "../oidc/browser-sessions.js";
import type { ProfileService, SelfService } from "../profile/index.js";

/** How a signed-in user proves it is still them (docs/account-page.md §Re-authentication). */
export type ReauthMethod = "password" | "otp" | "sms" | "email";

/** Re-authentication is signing in again: its codes are sign-in codes. */
export const REAUTH_CHANNEL = "CHANNEL_LOGIN";

export interface ReauthDeps {
  repos: Repositories;
  codes: CodeService;
  profile: Pick<ProfileService, "validatePassword">;
  mfa: Pick<Mfa, "verifyFactor">;
  browserSessions: Pick<BrowserSessions, "reauthenticated">;
  clock: Clock;
}

/**
 * Sensitive changes on the account page need a recent sign-in (pool setting `accountReauthMaxAge`).
 * A stale browser session is refreshed by the password, a TOTP code, or a code sent to the user's
 * own phone or email — each through the service that judges it elsewhere (the password counts
 * toward the sign-in lockout, a TOTP code toward the MFA limit), then `auth_time` moves to now.
 */
export function createReauth(deps: ReauthDeps) {
  function codeTarget(user: UserRow, kind: "sms" | "email"): string {
    const target = kind === "sms" ? user.phone : user.email?.toLowerCase();
    if (!target) throw new ApiError(kind === "sms" ? "INVALID_PHONE" : "INVALID_EMAIL");
    return target;
  }

  /** The ways this user can prove itself again, the strongest first. */
  async function methods(user: UserRow): Promise<ReauthMethod[]> {
    const out: ReauthMethod[] = [];
    if (user.password_hash) out.push("password");
    if (await deps.repos.mfaFactors.findUserFactorByType(user.pool_id, user.id, "OTP")) out.push("otp");
    if (user.phone) out.push("sms");
    if (user.email) out.push("email");
    return out;
  }

  return {
    methods,

    /** Whether the browser signed in (or proved itself) recently enough for a sensitive change. */
    isFresh(session: BrowserSession, settings: PoolSettings): boolean {
      return deps.clock.now() - session.authTime <= settings.accountReauthMaxAge * 1000;
    },

    /** A sign-in code to the user's own phone or email (the code engine's cooldowns and caps apply). */
    async sendCode(who: SelfService, user: UserRow, kind: "sms" | "email"): Promise<void> {
      await deps.codes.send({
        poolId: who.poolId,
        kind,
        target: codeTarget(user, kind),
        channel: REAUTH_CHANNEL,
        settings: who.settings,
        clientIp: who.meta.ip ?? undefined,
      });
    },

    /** Checks the proof; right → the browser session counts as just signed in. */
    async prove(
      who: SelfService,
      session: BrowserSession,
      user: UserRow,
      proof: { method: ReauthMethod; secret: string },
    ): Promise<void> {
      const { method, secret } = proof;
      if (!(await methods(user)).includes(method)) throw new ApiError("INVALID_REQUEST");
      if (method === "password") {
        if (!(await deps.profile.validatePassword(who, { password: secret })).valid)
          throw new ApiError("PASSWORD_WRONG");
      } else if (method === "otp") {
        await deps.mfa.verifyFactor(who, { kind: "OTP", code: secret });
      } else {
        const target = { poolId: who.poolId, kind: method, target: codeTarget(user, method) };
        await deps.codes.spendWith([{ target, channels: [REAUTH_CHANNEL], code: secret }], async () => {});
      }
      await deps.browserSessions.reauthenticated(session);
    },
  };
}
export type Reauth = ReturnType<typeof createReauth>;
