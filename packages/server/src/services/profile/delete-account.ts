import type { VerifyDeleteAccountRequestDto } from "@gatehouse/protocol";
import { ApiError, missingParam } from "../../errors.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { CodeCheck } from "../codes/engine.js";
import { maskEmail, maskPhone, maskText } from "../users/audit.js";
import {
  assertOldEmailMatches,
  assertOldPhoneMatches,
  assertUserHasEmail,
  assertUserHasPhone,
} from "./checks.js";
import {
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
 * Delete account: verify-delete-account-request → delete-account (docs/behaviour-and-errors.md §2.4).
 * Proof: a CHANNEL_DELETE_ACCOUNT code sent to the user's phone or email, or — only for users
 * with neither — the password.
 */
const DELETE_CHANNELS = ["CHANNEL_DELETE_ACCOUNT"] as const;

/** PASSWORD is only for accounts no code can reach. */
function assertPasswordProofAllowed(user: UserRow): void {
  if (user.phone || user.email) throw new ApiError("DELETE_BY_PASSWORD_NOT_ALLOWED");
}

/** The one identifier the deletion record keeps, masked. */
function maskedIdentifier(user: UserRow): string | undefined {
  if (user.phone) return maskPhone(user.phone);
  if (user.email) return maskEmail(user.email);
  if (user.username) return maskText(user.username);
  return undefined;
}

export function deleteAccountFlow(deps: ProfileDeps) {
  /** The code that proves the request; checked and spent with the token's issue. */
  function proofByCode(who: SelfService, user: UserRow, body: VerifyDeleteAccountRequestDto): CodeCheck {
    const { poolId } = who;
    if (body.verifyMethod === "PHONE_PASSCODE") {
      const p = body.phonePassCodePayload;
      if (!p) throw missingParam("phonePassCodePayload");
      const phone = assertUserHasPhone(user);
      assertOldPhoneMatches(phone, p.phoneNumber, p.phoneCountryCode);
      return { target: { poolId, kind: "sms", target: phone }, channels: DELETE_CHANNELS, code: p.passCode };
    }
    const p = body.emailPassCodePayload;
    if (!p) throw missingParam("emailPassCodePayload");
    const email = assertUserHasEmail(user);
    if (p.email !== undefined) assertOldEmailMatches(email, p.email);
    return {
      target: { poolId, kind: "email", target: email },
      channels: DELETE_CHANNELS,
      code: p.passCode,
    };
  }

  async function proveByPassword(
    who: SelfService,
    user: UserRow,
    body: VerifyDeleteAccountRequestDto,
  ): Promise<void> {
    assertPasswordProofAllowed(user);
    const p = body.passwordPayload;
    if (!p) throw missingParam("passwordPayload");
    const password = deps.passwords.decrypt(p.password, p.passwordEncryptType);
    if (!(await checkOwnPassword(deps, who, user, password))) throw new ApiError("PASSWORD_WRONG");
  }

  return {
    async verifyDeleteAccountRequest(who: SelfService, body: VerifyDeleteAccountRequestDto) {
      const user = await loadUser(deps, who);
      const checks: CodeCheck[] = [];
      if (body.verifyMethod === "PASSWORD") await proveByPassword(who, user, body);
      else checks.push(proofByCode(who, user, body));
      const issued = await withCodesSpent(deps, checks, async (repos) => {
        return deps.flowTokens.issue(repos, {
          purpose: "delete_account",
          poolId: who.poolId,
          userId: user.id,
          payload: {},
          ttlSeconds: who.settings.deleteAccountTokenExpiresIn,
        });
      });
      return { deleteAccountToken: issued.token, tokenExpiresIn: issued.expiresIn };
    },

    /**
     * Deletes the account: identities go, username/email/phone are free again (the row is gone),
     * every session ends, and one audit record keeps only a masked identifier.
     */
    async deleteAccount(who: SelfService, token: string) {
      const { poolId, userId, settings } = who;
      await deps.flowTokens.assertLive(deps.repos, { purpose: "delete_account", poolId, userId, token });
      // Sessions end first, through the session service, so every node's cache forgets them;
      // the rows then go with the user. Should the deletion fail now, the user signs in again.
      await deps.sessions.endUserSessions(poolId, userId);
      const gone = await inTransaction(deps, async (repos) => {
        await deps.flowTokens.spend(repos, { purpose: "delete_account", poolId, userId, token });
        const user = await repos.users.findUserById(poolId, userId);
        if (!user) throw new ApiError("FLOW_TOKEN_INVALID");
        await repos.identities.deleteIdentitiesByUser(userId);
        await repos.audit.anonymiseAuditEventsOfUser(poolId, userId);
        await repos.loginHistory.deleteLoginHistoryOfUsers(poolId, [userId]);
        if ((await repos.users.deleteUser(poolId, userId)) !== 1) throw new ApiError("FLOW_TOKEN_INVALID");
        await deps.audit.record(repos, {
          poolId,
          userId,
          actor: "user",
          meta: who.meta,
          action: "user.deleted",
          target: maskedIdentifier(user),
          subject: user,
        });
        return user;
      });
      sendNotices(deps, noticesTo({ poolId, settings, purpose: "account_deleted" }, gone));
      return { success: true };
    },
  };
}
