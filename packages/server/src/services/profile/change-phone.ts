import type { UpdatePhoneByPhonePassCodeDto } from "@gatehouse/protocol";
import { bilingual } from "../../errors.js";
import { maskPhone } from "../users/audit.js";
import { normalizePhone } from "../users/phone.js";
import { type ContactChangeRequest, type ContactChangeSpec, contactChangeFlow } from "./change-contact.js";
import {
  assertNewPhoneDiffers,
  assertOldPhoneMatches,
  assertOldPhonePairPresent,
  assertUserHasPhone,
} from "./checks.js";
import { loadUser, type ProfileDeps, type SelfService } from "./deps.js";

/**
 * Change phone: verify-update-phone-request → update-phone (docs/behaviour-and-errors.md §2.1).
 * Old number: CHANNEL_UNBIND_PHONE. New number: CHANNEL_BIND_PHONE, or CHANNEL_UNBIND_PHONE
 * which GenAuth's own doc sample sends to both numbers.
 */
export const OLD_PHONE_CHANNELS = ["CHANNEL_UNBIND_PHONE"] as const;
export const NEW_PHONE_CHANNELS = ["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"] as const;

const PHONE_CHANGE: ContactChangeSpec = {
  address: "phone",
  codeKind: "sms",
  oldChannels: OLD_PHONE_CHANNELS,
  newChannels: NEW_PHONE_CHANNELS,
  purpose: "update_phone",
  oldKey: "oldPhone",
  newKey: "newPhone",
  tokenTtl: "updatePhoneTokenExpiresIn",
  freeStep: (repos, poolId, phone, userId) => repos.users.phoneFreeForStep(poolId, phone, userId),
  taken: "PHONE_TAKEN",
  replaceStep: (repos, ...args) => repos.userContacts.replaceUserPhoneStep(...args),
  mismatch: {
    key: "OLD_PHONE_MISMATCH",
    texts: bilingual(
      "验证请求之后账号的手机号已被修改，请重新开始",
      "The account's phone number changed after the request was verified; start again",
    ),
  },
  auditAction: "user.phone.changed",
  mask: maskPhone,
  noticePurpose: "phone_changed",
};

export function changePhoneFlow(deps: ProfileDeps) {
  const flow = contactChangeFlow(deps, PHONE_CHANGE);
  return {
    async verifyUpdatePhoneRequest(who: SelfService, p: UpdatePhoneByPhonePassCodeDto) {
      const { settings } = who;
      const user = await loadUser(deps, who);
      const current = assertUserHasPhone(user);
      const next = normalizePhone(
        p.newPhoneNumber,
        p.newPhoneCountryCode,
        settings.defaultPhoneCountryCode,
      ).e164;
      assertNewPhoneDiffers(current, next);

      let oldCode: ContactChangeRequest["oldCode"];
      if (settings.changePhoneStrategy.verifyOldPhone) {
        const old = assertOldPhonePairPresent(p);
        assertOldPhoneMatches(current, old.number, p.oldPhoneCountryCode);
        oldCode = { target: current, code: old.code };
      }
      const change = { from: current, to: next, oldCode, newCode: p.newPhonePassCode };
      const issued = await flow.verifyRequest(who, change);
      return { updatePhoneToken: issued.token, tokenExpiresIn: issued.expiresIn };
    },

    updatePhone: (who: SelfService, token: string) => flow.commit(who, token),
  };
}
