import type { UpdatePhoneByPhonePassCodeDto } from "@gatehouse/protocol";
import { ApiError } from "../../http/api-error.js";
import { maskPhone } from "../audit.js";
import { normalizePhone } from "../phone.js";
import type { CheckedCode } from "../ports.js";
import {
  assertNewPhoneDiffers,
  assertOldPhoneMatches,
  assertOldPhonePairPresent,
  assertPhoneFree,
  assertUserHasPhone,
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
 * Change phone: verify-update-phone-request → update-phone (behaviour-and-errors §2.1).
 * Old number: CHANNEL_UNBIND_PHONE. New number: CHANNEL_BIND_PHONE, or CHANNEL_UNBIND_PHONE
 * which GenAuth's own doc sample sends to both numbers.
 */
export const OLD_PHONE_CHANNELS = ["CHANNEL_UNBIND_PHONE"] as const;
export const NEW_PHONE_CHANNELS = ["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"] as const;

/** What an updatePhoneToken is bound to, besides purpose, pool and user. */
interface PhoneChange {
  oldPhone: string;
  newPhone: string;
}

export function changePhoneFlow(deps: ProfileDeps) {
  return {
    async verifyUpdatePhoneRequest(who: SelfService, p: UpdatePhoneByPhonePassCodeDto) {
      const { settings, poolId } = who;
      const user = await loadUser(deps, who);
      const current = assertUserHasPhone(user);
      const next = normalizePhone(
        p.newPhoneNumber,
        p.newPhoneCountryCode,
        settings.defaultPhoneCountryCode,
      ).e164;
      assertNewPhoneDiffers(current, next);

      // Each code is only checked here (a wrong one counts an attempt and stops the request);
      // both are consumed together below, so a wrong old code never burns the new one.
      const checked: CheckedCode[] = [];
      if (settings.changePhoneStrategy.verifyOldPhone) {
        const old = assertOldPhonePairPresent(p);
        assertOldPhoneMatches(current, old.number, p.oldPhoneCountryCode);
        checked.push(
          await deps.codes.check(
            { poolId, kind: "sms", target: current },
            OLD_PHONE_CHANNELS,
            old.code,
            settings,
          ),
        );
      }
      checked.push(
        await deps.codes.check(
          { poolId, kind: "sms", target: next },
          NEW_PHONE_CHANNELS,
          p.newPhonePassCode,
          settings,
        ),
      );
      // After the codes: only someone holding the new number learns that it is taken.
      await assertPhoneFree(deps.repos, poolId, next, user.id);

      const issued = await inTransaction(deps, async (repos, trx) => {
        await deps.codes.consume(checked, trx);
        return deps.flowTokens.issue<PhoneChange>(repos, {
          purpose: "update_phone",
          poolId,
          userId: user.id,
          payload: { oldPhone: current, newPhone: next },
          ttlSeconds: settings.updatePhoneTokenExpiresIn,
        });
      });
      return { updatePhoneToken: issued.token, tokenExpiresIn: issued.expiresIn };
    },

    async updatePhone(who: SelfService, token: string) {
      const { poolId, userId, settings } = who;
      const change = await inTransaction(deps, async (repos) => {
        const { payload } = await deps.flowTokens.spend<PhoneChange>(repos, {
          purpose: "update_phone",
          poolId,
          userId,
          token,
        });
        // Re-check at commit what may have changed since step 1.
        await assertPhoneFree(repos, poolId, payload.newPhone, userId);
        const changed = await repos.replaceUserPhone(
          poolId,
          userId,
          payload.oldPhone,
          payload.newPhone,
          deps.clock.now(),
        );
        if (changed !== 1) {
          throw new ApiError("OLD_PHONE_MISMATCH", {
            message: "The account's phone number changed after the request was verified; start again",
          });
        }
        await deps.audit.record(repos, {
          poolId,
          userId,
          actor: "user",
          action: "user.phone.changed",
          oldValue: maskPhone(payload.oldPhone),
          newValue: maskPhone(payload.newPhone),
          meta: who.meta,
        });
        return { ...payload, email: (await repos.findUserById(poolId, userId))?.email ?? null };
      });

      // The old number and the email hear of it (no code, no link); the new number just proved itself.
      if (settings.notifyOnPhoneChange) {
        const base = {
          poolId,
          settings,
          purpose: "phone_changed" as const,
          params: { newPhone: maskPhone(change.newPhone) },
        };
        sendNotices(deps, noticesTo(base, { phone: change.oldPhone, email: change.email }));
      }
      return { success: true };
    },
  };
}
