import type {
  PasswordResetVerifyData,
  ResetPasswordDto,
  UpdatePasswordDto,
  ValidatePasswordDto,
  VerifyResetPasswordRequestDto,
} from "@gatehouse/protocol";
import { ApiError, missingParam } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { CodeTarget } from "../codes/engine.js";
import { normalizeEmail } from "../users/email.js";
import { findUserByEmail, findUserByMailbox, findUserByUsername } from "../users/identifiers.js";
import { normalizePhone } from "../users/phone.js";
import {
  type AppCall,
  type ChangeNotice,
  checkOwnPassword,
  inTransaction,
  loadUser,
  noticesTo,
  type ProfileDeps,
  type SelfService,
  sendNotices,
  withCodesSpent,
} from "./deps.js";

/**
 * Passwords: update-password, the anonymous forgot-password pair, validate-password
 * (docs/behaviour-and-errors.md §2.3, §2.6). Hashing always happens before the transaction.
 */
const RESET_CHANNELS = ["CHANNEL_RESET_PASSWORD"] as const;

interface ResetGrant {
  via: "phone" | "email";
  /** The address the code proved (normalised); tokens issued before it was recorded lack it. */
  address?: string;
}

export function passwordFlows(deps: ProfileDeps) {
  const { passwords } = deps;

  /** Hash and grade a new password that passed the pool policy (400/2061 otherwise). */
  async function prepare(plain: string, settings: SelfService["settings"]) {
    passwords.assertPolicy(plain, settings);
    return {
      password_hash: await passwords.hash(plain),
      password_security_level: passwords.securityLevel(plain),
      password_last_set_at: deps.clock.now(),
      updated_at: deps.clock.now(),
    };
  }

  /** To each of the user's addresses; the notifier (the switch's one home) drops them when
   *  notifyOnPasswordChange is off. */
  function passwordNotices(
    user: UserRow,
    settings: SelfService["settings"],
    purpose: "password_changed" | "password_reset",
  ): ChangeNotice[] {
    return noticesTo({ poolId: user.pool_id, settings, purpose }, user);
  }

  /** Anonymous step 1: the code alone proves possession; who owns the address is looked up after. */
  async function resetTarget(call: AppCall, body: VerifyResetPasswordRequestDto) {
    if (body.verifyMethod === "PHONE_PASSCODE") {
      const p = body.phonePassCodePayload;
      if (!p) throw missingParam("phonePassCodePayload");
      const phone = normalizePhone(
        p.phoneNumber,
        p.phoneCountryCode,
        call.settings.defaultPhoneCountryCode,
      ).e164;
      const target: CodeTarget = { poolId: call.poolId, kind: "sms", target: phone };
      return {
        target,
        code: p.passCode,
        find: (repos: Repositories) => repos.users.findUserByPhone(call.poolId, phone),
      };
    }
    const p = body.emailPassCodePayload;
    if (!p?.email) {
      throw missingParam("emailPassCodePayload.email");
    }
    const email = normalizeEmail(p.email);
    const target: CodeTarget = { poolId: call.poolId, kind: "email", target: email };
    return {
      target,
      code: p.passCode,
      find: (repos: Repositories) => findUserByMailbox(repos, call.poolId, email),
    };
  }

  return {
    async updatePassword(who: SelfService, body: UpdatePasswordDto) {
      const { poolId, settings } = who;
      const user = await loadUser(deps, who);
      const type = body.passwordEncryptType;
      const newPassword = passwords.decrypt(body.newPassword, type);
      const resetToken = body.passwordResetToken;
      if (resetToken !== undefined) {
        await deps.flowTokens.assertLive(deps.repos, {
          purpose: "reset_password",
          poolId,
          userId: user.id,
          token: resetToken,
        });
      } else if (user.password_hash !== null) {
        if (body.oldPassword === undefined) throw new ApiError("OLD_PASSWORD_REQUIRED");
        const ok = await checkOwnPassword(deps, who, user, passwords.decrypt(body.oldPassword, type));
        if (!ok) throw new ApiError("OLD_PASSWORD_WRONG");
      }
      const patch = await prepare(newPassword, settings);
      await inTransaction(deps, async (repos) => {
        if (resetToken !== undefined) {
          await deps.flowTokens.spend(repos, {
            purpose: "reset_password",
            poolId,
            userId: user.id,
            token: resetToken,
          });
        }
        if ((await repos.users.updateUser(poolId, user.id, patch)) !== 1) throw new ApiError("TOKEN_INVALID");
        await deps.audit.record(repos, {
          poolId,
          userId: user.id,
          actor: "user",
          action: "user.password.changed",
          meta: who.meta,
        });
      });
      if (settings.endSessionsOnPasswordChange) {
        await deps.sessions.endUserSessions(poolId, user.id, { exceptSessionId: who.sessionId });
      }
      sendNotices(deps, passwordNotices(user, settings, "password_changed"));
    },

    /**
     * Forgot password, step 1 (anonymous). An unknown phone or email is indistinguishable from a
     * wrong code: send-sms/send-email delivered nothing usable to it, so the check fails alike.
     */
    async verifyResetPasswordRequest(
      call: AppCall,
      body: VerifyResetPasswordRequestDto,
    ): Promise<PasswordResetVerifyData> {
      const { target, code, find } = await resetTarget(call, body);
      const issued = await withCodesSpent(
        deps,
        [{ target, channels: RESET_CHANNELS, code }],
        async (repos) => {
          // A right code for an account deleted since it was sent: wrong, like any other.
          const user = await find(repos);
          if (!user) throw new ApiError("CODE_WRONG");
          return deps.flowTokens.issue<ResetGrant>(repos, {
            purpose: "reset_password",
            poolId: call.poolId,
            userId: user.id,
            payload: { via: target.kind === "sms" ? "phone" : "email", address: target.target },
            ttlSeconds: call.settings.passwordResetTokenExpiresIn,
          });
        },
      );
      return {
        passwordResetToken: issued.token,
        tokenExpiresIn: issued.expiresIn,
        passwordStrength: call.settings.passwordStrength,
      };
    },

    /**
     * Forgot password, step 2 (anonymous): every session of the user ends, and a sign-in lockout
     * from wrong passwords is lifted — whoever holds the phone or email owns the account.
     */
    async resetPassword(call: AppCall, body: ResetPasswordDto) {
      const { poolId, settings } = call;
      const token = body.passwordResetToken;
      // Garbage tokens are refused before any hashing work.
      await deps.flowTokens.assertLive(deps.repos, { purpose: "reset_password", poolId, token });
      const patch = await prepare(passwords.decrypt(body.password, body.passwordEncryptType), settings);
      const user = await inTransaction(deps, async (repos) => {
        const { userId, payload } = await deps.flowTokens.spend<ResetGrant>(repos, {
          purpose: "reset_password",
          poolId,
          token,
        });
        if ((await repos.users.updateUser(poolId, userId, patch)) !== 1)
          throw new ApiError("FLOW_TOKEN_INVALID");
        // The code proved the address and the password is chosen after that proof: a later code
        // sign-in must not take it for a squatter's (docs/behaviour-and-errors.md §4.6).
        if (payload.address) {
          const address = { kind: payload.via, value: payload.address } as const;
          await repos.userContacts.markAddressProved(poolId, userId, address, deps.clock.now());
        }
        await deps.audit.record(repos, {
          poolId,
          userId,
          actor: "anonymous",
          action: "user.password.reset",
          meta: call.meta,
        });
        return repos.users.findUserById(poolId, userId);
      });
      if (!user) throw new ApiError("FLOW_TOKEN_INVALID");
      await deps.sessions.endUserSessions(poolId, user.id);
      await deps.loginGuard.unlockUser(poolId, user.id);
      sendNotices(deps, passwordNotices(user, settings, "password_reset"));
    },

    /**
     * validate-password: is this the signed-in account's password? The account may be named
     * (priority email → phone → username, like GenAuth); naming any other account answers
     * `valid: false` after the same hashing work, so it is no oracle for other accounts.
     */
    async validatePassword(who: SelfService, body: ValidatePasswordDto): Promise<{ valid: boolean }> {
      const user = await loadUser(deps, who);
      const password =
        body.password === undefined ? "" : passwords.decrypt(body.password, body.passwordEncryptType);
      const other = await namesAnotherAccount(deps, who, body);
      if (other || user.password_hash === null || password === "") {
        await passwords.verifyDummy(password);
        return { valid: false };
      }
      return { valid: await checkOwnPassword(deps, who, user, password) };
    },
  };
}

/**
 * Whether the body names an account other than the caller's: false when it names none; an
 * identifier that does not parse names nobody, so not the caller either.
 */
async function namesAnotherAccount(
  deps: ProfileDeps,
  who: SelfService,
  body: ValidatePasswordDto,
): Promise<boolean> {
  let found: UserRow | undefined;
  try {
    if (body.email) found = await findUserByEmail(deps.repos, who.poolId, normalizeEmail(body.email));
    else if (body.phone) {
      const phone = normalizePhone(
        body.phone,
        body.phoneCountryCode,
        who.settings.defaultPhoneCountryCode,
      ).e164;
      found = await deps.repos.users.findUserByPhone(who.poolId, phone);
    } else if (body.username) found = await findUserByUsername(deps.repos, who.poolId, body.username);
    else return false;
  } catch {
    // Names nobody: `found` stays undefined, which is not the caller.
  }
  return found?.id !== who.userId;
}
