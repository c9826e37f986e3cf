import type { UpdateEmailByEmailPassCodeDto } from "@gatehouse/protocol";
import { ApiError } from "../../http/api-error.js";
import { maskEmail } from "../audit.js";
import { normalizeEmail } from "../email.js";
import type { CheckedCode } from "../ports.js";
import {
  assertEmailFree,
  assertNewEmailDiffers,
  assertOldEmailMatches,
  assertOldEmailPairPresent,
  assertUserHasEmail,
} from "./checks.js";
import {
  inTransaction,
  loadUser,
  noticesTo,
  type ProfileDeps,
  type SelfService,
  sendNotices,
} from "./deps.js";

/**
 * Change email: verify-update-email-request → update-email (behaviour-and-errors §2.2).
 * GenAuth's live service accepted CHANNEL_UPDATE_EMAIL for both addresses, and
 * CHANNEL_UNBIND_EMAIL (old) / CHANNEL_BIND_EMAIL (new); so do we.
 */
export const OLD_EMAIL_CHANNELS = ["CHANNEL_UPDATE_EMAIL", "CHANNEL_UNBIND_EMAIL"] as const;
export const NEW_EMAIL_CHANNELS = ["CHANNEL_UPDATE_EMAIL", "CHANNEL_BIND_EMAIL"] as const;

interface EmailChange {
  oldEmail: string;
  newEmail: string;
}

export function changeEmailFlow(deps: ProfileDeps) {
  return {
    async verifyUpdateEmailRequest(who: SelfService, p: UpdateEmailByEmailPassCodeDto | undefined) {
      if (!p)
        throw new ApiError("INVALID_REQUEST", { message: "body must have property 'emailPassCodePayload'" });
      const { settings, poolId } = who;
      const user = await loadUser(deps, who);
      const current = assertUserHasEmail(user);
      const next = normalizeEmail(p.newEmail);
      assertNewEmailDiffers(current, next);

      const checked: CheckedCode[] = [];
      if (settings.changeEmailStrategy.verifyOldEmail) {
        const old = assertOldEmailPairPresent(p);
        assertOldEmailMatches(current, old.email);
        checked.push(
          await deps.codes.check(
            { poolId, kind: "email", target: current.toLowerCase() },
            OLD_EMAIL_CHANNELS,
            old.code,
            settings,
          ),
        );
      }
      checked.push(
        await deps.codes.check(
          { poolId, kind: "email", target: next },
          NEW_EMAIL_CHANNELS,
          p.newEmailPassCode,
          settings,
        ),
      );
      await assertEmailFree(deps.repos, poolId, next, user.id);

      const issued = await inTransaction(deps, async (repos, trx) => {
        await deps.codes.consume(checked, trx);
        return deps.flowTokens.issue<EmailChange>(repos, {
          purpose: "update_email",
          poolId,
          userId: user.id,
          payload: { oldEmail: current, newEmail: next },
          ttlSeconds: settings.updateEmailTokenExpiresIn,
        });
      });
      return { updateEmailToken: issued.token, tokenExpiresIn: issued.expiresIn };
    },

    async updateEmail(who: SelfService, token: string) {
      const { poolId, userId, settings } = who;
      const change = await inTransaction(deps, async (repos) => {
        const { payload } = await deps.flowTokens.spend<EmailChange>(repos, {
          purpose: "update_email",
          poolId,
          userId,
          token,
        });
        await assertEmailFree(repos, poolId, payload.newEmail, userId);
        const changed = await repos.replaceUserEmail(
          poolId,
          userId,
          payload.oldEmail,
          payload.newEmail,
          deps.clock.now(),
        );
        if (changed !== 1) {
          throw new ApiError("OLD_EMAIL_MISMATCH", {
            message: "The account's email changed after the request was verified; start again",
          });
        }
        await deps.audit.record(repos, {
          poolId,
          userId,
          actor: "user",
          action: "user.email.changed",
          oldValue: maskEmail(payload.oldEmail),
          newValue: maskEmail(payload.newEmail),
          meta: who.meta,
        });
        return { ...payload, phone: (await repos.findUserById(poolId, userId))?.phone ?? null };
      });

      if (settings.notifyOnEmailChange) {
        const base = {
          poolId,
          settings,
          purpose: "email_changed" as const,
          params: { newEmail: maskEmail(change.newEmail) },
        };
        sendNotices(deps, noticesTo(base, { phone: change.phone, email: change.oldEmail }));
      }
      return { success: true };
    },
  };
}
