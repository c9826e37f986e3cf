import type { UpdateEmailByEmailPassCodeDto } from "@gatehouse/protocol";
import { bilingual, missingParam } from "../../errors.js";
import { maskEmail } from "../users/audit.js";
import { normalizeEmail } from "../users/email.js";
import { identifierKey } from "../users/identifiers.js";
import { type ContactChangeRequest, type ContactChangeSpec, contactChangeFlow } from "./change-contact.js";
import {
  assertNewEmailDiffers,
  assertOldEmailMatches,
  assertOldEmailPairPresent,
  assertUserHasEmail,
} from "./checks.js";
import { loadUser, type ProfileDeps, type SelfService } from "./deps.js";

/**
 * Change email: verify-update-email-request → update-email (docs/behaviour-and-errors.md §2.2).
 * GenAuth's live service accepted CHANNEL_UPDATE_EMAIL for both addresses, and
 * CHANNEL_UNBIND_EMAIL (old) / CHANNEL_BIND_EMAIL (new); so do we.
 */
export const OLD_EMAIL_CHANNELS = ["CHANNEL_UPDATE_EMAIL", "CHANNEL_UNBIND_EMAIL"] as const;
export const NEW_EMAIL_CHANNELS = ["CHANNEL_UPDATE_EMAIL", "CHANNEL_BIND_EMAIL"] as const;

const EMAIL_CHANGE: ContactChangeSpec = {
  address: "email",
  codeKind: "email",
  oldChannels: OLD_EMAIL_CHANNELS,
  newChannels: NEW_EMAIL_CHANNELS,
  purpose: "update_email",
  oldKey: "oldEmail",
  newKey: "newEmail",
  tokenTtl: "updateEmailTokenExpiresIn",
  freeStep: (repos, poolId, email, userId) =>
    repos.users.emailKeyFreeForStep(poolId, identifierKey(email), userId),
  taken: "EMAIL_TAKEN",
  replaceStep: (repos, poolId, id, from, to, now) =>
    repos.userContacts.replaceUserEmailStep(poolId, id, from, { value: to, key: identifierKey(to) }, now),
  mismatch: {
    key: "OLD_EMAIL_MISMATCH",
    texts: bilingual(
      "验证请求之后账号的邮箱已被修改，请重新开始",
      "The account's email changed after the request was verified; start again",
    ),
  },
  auditAction: "user.email.changed",
  mask: maskEmail,
  noticePurpose: "email_changed",
};

export function changeEmailFlow(deps: ProfileDeps) {
  const flow = contactChangeFlow(deps, EMAIL_CHANGE);
  return {
    async verifyUpdateEmailRequest(who: SelfService, p: UpdateEmailByEmailPassCodeDto | undefined) {
      if (!p) throw missingParam("emailPassCodePayload");
      const { settings } = who;
      const user = await loadUser(deps, who);
      const current = assertUserHasEmail(user);
      const next = normalizeEmail(p.newEmail);
      assertNewEmailDiffers(current, next);

      let oldCode: ContactChangeRequest["oldCode"];
      if (settings.changeEmailStrategy.verifyOldEmail) {
        const old = assertOldEmailPairPresent(p);
        assertOldEmailMatches(current, old.email);
        oldCode = { target: current.toLowerCase(), code: old.code };
      }
      const change = { from: current, to: next, oldCode, newCode: p.newEmailPassCode };
      const issued = await flow.verifyRequest(who, change);
      return { updateEmailToken: issued.token, tokenExpiresIn: issued.expiresIn };
    },

    updateEmail: (who: SelfService, token: string) => flow.commit(who, token),
  };
}
