import type { CodeTarget } from "../../src/services/codes/engine.js";
import type { Harness } from "./harness.js";

/**
 * Codes for tests, read from the memory outbox (`ctx.outbox`). Each helper asks through the public
 * API and returns the code delivered; it fails loudly when the API refused or nothing arrived.
 */
export async function sendSmsCode(
  h: Harness,
  phoneNumber: string,
  channel: string,
  phoneCountryCode?: string,
): Promise<string> {
  const res = await h.api("POST", "/api/v3/send-sms", { channel, phoneNumber, phoneCountryCode });
  if (res.statusCode !== 200) throw new Error(`send-sms refused: ${JSON.stringify(res)}`);
  const code = h.ctx.outbox.lastCodeFor(phoneNumber, channel);
  if (!code) throw new Error(`no SMS code for ${phoneNumber} on ${channel} in the outbox`);
  return code;
}

export async function sendEmailCode(h: Harness, email: string, channel: string): Promise<string> {
  const res = await h.api("POST", "/api/v3/send-email", { channel, email });
  if (res.statusCode !== 200) throw new Error(`send-email refused: ${JSON.stringify(res)}`);
  const code = h.ctx.outbox.lastCodeFor(email, channel);
  if (!code) throw new Error(`no email code for ${email} on ${channel} in the outbox`);
  return code;
}

/** A code of the right length that is not `code` (for wrong-code tests). */
export function wrongCode(code: string): string {
  const last = (Number(code.at(-1)) + 1) % 10;
  return code.slice(0, -1) + String(last);
}

/** A fresh mainland-China mobile number per call, so suites do not trip each other's cooldowns. */
let seq = 0;
export function freshPhone(): string {
  seq += 1;
  return `139${String(process.pid % 10_000).padStart(4, "0")}${String(seq).padStart(4, "0")}`;
}

let mailSeq = 0;
export function freshEmail(prefix = "user"): string {
  mailSeq += 1;
  return `${prefix}-${process.pid}-${mailSeq}@example.com`;
}

/** The engine's target for a mainland-China number of the harness's default pool. */
export function smsTarget(h: Harness, phone: string): CodeTarget {
  return { poolId: h.boot.userPoolId, kind: "sms", target: `+86${phone}` };
}
