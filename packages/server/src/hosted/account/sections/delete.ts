import type { VerifyDeleteAccountRequestDto } from "@gatehouse/protocol";
import { ApiError } from "../../../errors.js";
import { PageError } from "../../error-page.js";
import { field } from "../forms.js";
import type { AccountSection, ActionInput } from "../types.js";
import { codeSent, sendCode } from "./shared.js";

/** Delete account: verify-delete-account-request (a code to the phone or email, or the password for accounts with neither), then delete-account. */
const DELETE_CHANNEL = "CHANNEL_DELETE_ACCOUNT";

function proof({ scene, body }: ActionInput): VerifyDeleteAccountRequestDto {
  const { user } = scene;
  const method = body.method === "email" ? "email" : body.method === "sms" ? "sms" : "password";
  if (method === "password")
    return { verifyMethod: "PASSWORD", passwordPayload: { password: body.password ?? "" } };
  const passCode = field(body.code);
  if (!passCode) throw new ApiError("CODE_WRONG");
  return method === "sms"
    ? {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { phoneNumber: user.phone ?? "", passCode },
      }
    : { verifyMethod: "EMAIL_PASSCODE", emailPassCodePayload: { email: user.email ?? "", passCode } };
}

export const deleteSection: AccountSection = {
  id: "delete",
  sensitive: true,
  async load(_ctx, scene) {
    const methods = [scene.user.phone ? "sms" : "", scene.user.email ? "email" : ""].filter(Boolean);
    return { methods: methods.length > 0 ? methods : ["password"] };
  },
  actions: {
    "send-code": {
      sensitive: true,
      async run(input) {
        const method = input.body.method === "email" ? "email" : "sms";
        const to = method === "sms" ? input.scene.user.phone : input.scene.user.email;
        if (!to) throw new ApiError(method === "sms" ? "NO_PHONE_BOUND" : "NO_EMAIL_BOUND");
        await sendCode(input, method, DELETE_CHANNEL, to);
        return { state: codeSent("send-code", {}, { method }) };
      },
    },
    confirm: {
      sensitive: true,
      async run(input) {
        if (input.body.confirm !== "yes") throw new PageError("DELETE_NOT_CONFIRMED", 400);
        const { ctx, scene } = input;
        const { deleteAccountToken } = await ctx.profile.verifyDeleteAccountRequest(scene.who, proof(input));
        await ctx.profile.deleteAccount(scene.who, deleteAccountToken);
        return { done: "deleted" };
      },
    },
  },
};
