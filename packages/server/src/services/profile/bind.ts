import type { BindEmailDto, BindPhoneDto } from "@gatehouse/protocol";
import { ApiError, bilingual } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { CodeCheck, CodeKind } from "../codes/engine.js";
import { maskEmail, maskPhone } from "../users/audit.js";
import { normalizeEmail } from "../users/email.js";
import { identifierKey } from "../users/identifiers.js";
import { normalizePhone } from "../users/phone.js";
import {
  assertAnotherSignInMethod,
  assertNoEmailBound,
  assertNoPhoneBound,
  assertUserHasEmail,
  assertUserHasPhone,
} from "./checks.js";
import {
  loadUser,
  noticesTo,
  type ProfileDeps,
  type SelfService,
  sendNotices,
  withCodesSpent,
} from "./deps.js";

/**
 * The code the user typed for a bind or unbind, sent to `target` on `channel` (the code engine
 * lower-cases email targets itself).
 */
function sentCode(poolId: string, kind: CodeKind, target: string, channel: string, code: string): CodeCheck {
  return { target: { poolId, kind, target }, channels: [channel], code };
}

/**
 * Bind / unbind phone and email (docs/behaviour-and-errors.md §2.5): bind only when nothing is bound,
 * with a code on CHANNEL_BIND_*; unbind with a code sent to the current address on
 * CHANNEL_UNBIND_*, never the last way to sign in. Binds set the verified flag.
 */
export function bindFlows(deps: ProfileDeps) {
  /** The write did not apply: find out which rule a concurrent change broke. */
  async function explainNoChange(
    repos: Repositories,
    who: SelfService,
    field: "phone" | "email",
  ): Promise<never> {
    const user = await loadUser({ ...deps, repos }, who);
    await assertAnotherSignInMethod(repos, user, field);
    throw new ApiError(field === "phone" ? "NO_PHONE_BOUND" : "NO_EMAIL_BOUND", {
      texts: bilingual(
        `账号的${field === "phone" ? "手机号" : "邮箱"}已被修改，请刷新后重试`,
        `The account's ${field} changed meanwhile; reload and try again`,
      ),
    });
  }

  return {
    async bindPhone(who: SelfService, body: BindPhoneDto) {
      const { poolId, settings } = who;
      const user = await loadUser(deps, who);
      assertNoPhoneBound(user);
      const phone = normalizePhone(
        body.phoneNumber,
        body.phoneCountryCode,
        settings.defaultPhoneCountryCode,
      ).e164;
      const code = sentCode(poolId, "sms", phone, "CHANNEL_BIND_PHONE", body.passCode);
      await withCodesSpent(deps, [code], async (repos) => {
        if ((await repos.userContacts.setUserPhoneIfUnset(poolId, user.id, phone, deps.clock.now())) !== 1) {
          throw new ApiError("PHONE_ALREADY_BOUND");
        }
        await deps.audit.record(repos, {
          poolId,
          userId: user.id,
          actor: "user",
          action: "user.phone.bound",
          newValue: maskPhone(phone),
          meta: who.meta,
        });
      });
      // The email (if any) hears of it; the number just proved itself.
      const masked = { phone: maskPhone(phone) };
      sendNotices(
        deps,
        noticesTo({ poolId, settings, purpose: "phone_bound", params: masked }, { email: user.email }),
      );
    },

    async unbindPhone(who: SelfService, passCode: string) {
      const { poolId, settings } = who;
      const user = await loadUser(deps, who);
      const phone = assertUserHasPhone(user);
      await assertAnotherSignInMethod(deps.repos, user, "phone");
      const code = sentCode(poolId, "sms", phone, "CHANNEL_UNBIND_PHONE", passCode);
      await withCodesSpent(deps, [code], async (repos) => {
        if (
          (await repos.userContacts.clearUserPhoneKeepingASignInMethod(
            poolId,
            user.id,
            phone,
            deps.clock.now(),
          )) !== 1
        ) {
          await explainNoChange(repos, who, "phone");
        }
        await deps.audit.record(repos, {
          poolId,
          userId: user.id,
          actor: "user",
          action: "user.phone.unbound",
          oldValue: maskPhone(phone),
          meta: who.meta,
        });
      });
      const masked = { phone: maskPhone(phone) };
      sendNotices(
        deps,
        noticesTo(
          { poolId, settings, purpose: "phone_unbound", params: masked },
          { phone, email: user.email },
        ),
      );
    },

    async bindEmail(who: SelfService, body: BindEmailDto) {
      const { poolId, settings } = who;
      const user = await loadUser(deps, who);
      assertNoEmailBound(user);
      const email = normalizeEmail(body.email);
      const code = sentCode(poolId, "email", email, "CHANNEL_BIND_EMAIL", body.passCode);
      await withCodesSpent(deps, [code], async (repos) => {
        const keyed = { value: email, key: identifierKey(email) };
        if ((await repos.userContacts.setUserEmailIfUnset(poolId, user.id, keyed, deps.clock.now())) !== 1) {
          throw new ApiError("EMAIL_ALREADY_BOUND");
        }
        await deps.audit.record(repos, {
          poolId,
          userId: user.id,
          actor: "user",
          action: "user.email.bound",
          newValue: maskEmail(email),
          meta: who.meta,
        });
      });
      const masked = { email: maskEmail(email) };
      sendNotices(
        deps,
        noticesTo({ poolId, settings, purpose: "email_bound", params: masked }, { phone: user.phone }),
      );
    },

    async unbindEmail(who: SelfService, passCode: string) {
      const { poolId, settings } = who;
      const user = await loadUser(deps, who);
      const email = assertUserHasEmail(user);
      await assertAnotherSignInMethod(deps.repos, user, "email");
      const code = sentCode(poolId, "email", email, "CHANNEL_UNBIND_EMAIL", passCode);
      await withCodesSpent(deps, [code], async (repos) => {
        if (
          (await repos.userContacts.clearUserEmailKeepingASignInMethod(
            poolId,
            user.id,
            email,
            deps.clock.now(),
          )) !== 1
        ) {
          await explainNoChange(repos, who, "email");
        }
        await deps.audit.record(repos, {
          poolId,
          userId: user.id,
          actor: "user",
          action: "user.email.unbound",
          oldValue: maskEmail(email),
          meta: who.meta,
        });
      });
      const masked = { email: maskEmail(email) };
      sendNotices(
        deps,
        noticesTo(
          { poolId, settings, purpose: "email_unbound", params: masked },
          { phone: user.phone, email },
        ),
      );
    },
  };
}
