import type { EmailChannel, SmsChannel } from "@gatehouse/protocol";
import { ApiError } from "../../../errors.js";
import { OLD_EMAIL_CHANNELS } from "../../../services/profile/change-email.js";
import { field } from "../forms.js";
import type { AccountSection, ActionInput, ActionOutcome } from "../types.js";
import { codeSent, sendCode } from "./shared.js";

/**
 * Phone and email (docs/account-page.md §Phone and email): change with codes to the current and the
 * new address (only the new one when the pool's verifyOld* is off), bind when none, unbind when the
 * account keeps another way to sign in. Each step is the V3 flow's service call.
 */
interface ContactKind {
  id: "phone" | "email";
  kind: "sms" | "email";
  current(input: ActionInput): string | null;
  verifyOld(input: ActionInput): boolean;
  channels: Record<"old" | "new" | "bind" | "unbind", SmsChannel | EmailChannel>;
  change(input: ActionInput, next: string, oldCode: string | undefined, newCode: string): Promise<void>;
  bind(input: ActionInput, address: string, code: string): Promise<unknown>;
  unbind(input: ActionInput, code: string): Promise<unknown>;
}

const requireCode = (code: string) => {
  if (!code) throw new ApiError("CODE_WRONG");
  return code;
};

function contactSection(k: ContactKind): AccountSection {
  const newValue = (input: ActionInput) => field(k.id === "phone" ? input.body.phone : input.body.email);
  const values = (input: ActionInput) => ({ [k.id]: newValue(input) });
  const needCurrent = (input: ActionInput) => {
    const current = k.current(input);
    if (!current) throw new ApiError(k.id === "phone" ? "NO_PHONE_BOUND" : "NO_EMAIL_BOUND");
    return current;
  };
  const needNew = (input: ActionInput) => {
    const v = newValue(input);
    if (!v) throw new ApiError(k.id === "phone" ? "INVALID_PHONE" : "INVALID_EMAIL");
    return v;
  };
  const sent = async (
    input: ActionInput,
    button: string,
    to: string,
    channel: SmsChannel | EmailChannel,
  ): Promise<ActionOutcome> => {
    await sendCode(input, k.kind, channel, to);
    return { state: codeSent(button, values(input)) };
  };

  return {
    id: k.id,
    sensitive: true,
    async load(_ctx, scene) {
      const current = k.id === "phone" ? scene.user.phone : scene.user.email;
      const verifyOld =
        k.id === "phone"
          ? scene.scope.settings.changePhoneStrategy.verifyOldPhone
          : scene.scope.settings.changeEmailStrategy.verifyOldEmail;
      return { current: current ?? "", verifyOld };
    },
    fieldOf(err) {
      if (!(err instanceof ApiError)) return undefined;
      if (
        /^(INVALID_PHONE|INVALID_EMAIL|PHONE_TAKEN|EMAIL_TAKEN|PHONE_SAME_AS_CURRENT|EMAIL_SAME_AS_CURRENT)$/.test(
          err.key,
        )
      )
        return k.id;
      return undefined;
    },
    actions: {
      "send-old": {
        sensitive: true,
        run: (input) => sent(input, "send-old", needCurrent(input), k.channels.old),
      },
      "send-new": {
        sensitive: true,
        run: (input) => sent(input, "send-new", needNew(input), k.channels.new),
      },
      change: {
        sensitive: true,
        async run(input) {
          needCurrent(input);
          const oldCode = k.verifyOld(input) ? requireCode(field(input.body.oldCode)) : undefined;
          await k.change(input, needNew(input), oldCode, requireCode(field(input.body.newCode)));
          return { done: k.id === "phone" ? "phoneChanged" : "emailChanged" };
        },
      },
      "send-bind": {
        sensitive: true,
        run: (input) => sent(input, "send-bind", needNew(input), k.channels.bind),
      },
      bind: {
        sensitive: true,
        async run(input) {
          await k.bind(input, needNew(input), requireCode(field(input.body.code)));
          return { done: k.id === "phone" ? "phoneBound" : "emailBound" };
        },
      },
      "send-unbind": {
        sensitive: true,
        run: (input) => sent(input, "send-unbind", needCurrent(input), k.channels.unbind),
      },
      unbind: {
        sensitive: true,
        async run(input) {
          await k.unbind(input, requireCode(field(input.body.code)));
          return { done: k.id === "phone" ? "phoneUnbound" : "emailUnbound" };
        },
      },
    },
  };
}

export const phoneSection = contactSection({
  id: "phone",
  kind: "sms",
  current: ({ scene }) => scene.user.phone,
  verifyOld: ({ scene }) => scene.scope.settings.changePhoneStrategy.verifyOldPhone,
  channels: {
    old: "CHANNEL_UNBIND_PHONE",
    new: "CHANNEL_BIND_PHONE",
    bind: "CHANNEL_BIND_PHONE",
    unbind: "CHANNEL_UNBIND_PHONE",
  },
  async change({ ctx, scene }, next, oldCode, newCode) {
    const current = scene.user.phone ?? "";
    const { updatePhoneToken } = await ctx.profile.verifyUpdatePhoneRequest(scene.who, {
      newPhoneNumber: next,
      newPhonePassCode: newCode,
      ...(oldCode !== undefined ? { oldPhoneNumber: current, oldPhonePassCode: oldCode } : {}),
    });
    await ctx.profile.updatePhone(scene.who, updatePhoneToken);
  },
  bind: ({ ctx, scene }, phone, code) =>
    ctx.profile.bindPhone(scene.who, { phoneNumber: phone, passCode: code }),
  unbind: ({ ctx, scene }, code) => ctx.profile.unbindPhone(scene.who, code),
});

export const emailSection = contactSection({
  id: "email",
  kind: "email",
  current: ({ scene }) => scene.user.email,
  verifyOld: ({ scene }) => scene.scope.settings.changeEmailStrategy.verifyOldEmail,
  channels: {
    old: OLD_EMAIL_CHANNELS[0],
    new: "CHANNEL_UPDATE_EMAIL",
    bind: "CHANNEL_BIND_EMAIL",
    unbind: "CHANNEL_UNBIND_EMAIL",
  },
  async change({ ctx, scene }, next, oldCode, newCode) {
    const current = scene.user.email ?? "";
    const { updateEmailToken } = await ctx.profile.verifyUpdateEmailRequest(scene.who, {
      newEmail: next,
      newEmailPassCode: newCode,
      ...(oldCode !== undefined ? { oldEmail: current, oldEmailPassCode: oldCode } : {}),
    });
    await ctx.profile.updateEmail(scene.who, updateEmailToken);
  },
  bind: ({ ctx, scene }, email, code) => ctx.profile.bindEmail(scene.who, { email, passCode: code }),
  unbind: ({ ctx, scene }, code) => ctx.profile.unbindEmail(scene.who, code),
});
