import type { EmailChannel, SmsChannel } from "@gatehouse/protocol";
import { CODE_COOLDOWN_MS } from "../../../services/codes/engine.js";
import { sendPageCode } from "../../send-code.js";
import type { ActionInput, SectionState } from "../types.js";

/**
 * A code to an address, exactly as `POST /api/v3/send-sms` / `send-email` sends it (the code
 * engine's cooldowns and caps apply); the page then counts the cooldown down on that button.
 */
export function sendCode(
  { ctx, scene, request }: ActionInput,
  kind: "sms" | "email",
  channel: SmsChannel | EmailChannel,
  address: string,
): Promise<void> {
  return sendPageCode(ctx, scene.scope, request.ip, kind, channel, address);
}

/** The section again with "a code is on its way" and the button's cooldown. */
export function codeSent(
  button: string,
  values: Record<string, string>,
  extra: SectionState = {},
): SectionState {
  return { notice: "codeSent", values, cooldown: { [button]: Math.ceil(CODE_COOLDOWN_MS / 1000) }, ...extra };
}
