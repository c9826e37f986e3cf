import type { EmailChannel, SmsChannel } from "@gatehouse/protocol";
import type { Context } from "../context.js";
import type { AppScope } from "../services/auth/index.js";

/**
 * A code to an address from a page's form (sign-in, sign-up, forgot password, the account page),
 * exactly as `POST /api/v3/send-sms` / `send-email` sends it: the code engine's cooldowns and caps,
 * and no account enumeration for a reset.
 */
export async function sendPageCode(
  ctx: Context,
  scope: AppScope,
  clientIp: string,
  kind: "sms" | "email",
  channel: SmsChannel | EmailChannel,
  address: string,
): Promise<void> {
  if (kind === "sms")
    await ctx.codeRequests.sendSmsCode(
      scope,
      { channel: channel as SmsChannel, phoneNumber: address },
      clientIp,
    );
  else
    await ctx.codeRequests.sendEmailCode(
      scope,
      { channel: channel as EmailChannel, email: address },
      clientIp,
    );
}
