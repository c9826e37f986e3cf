import { createHmac } from "node:crypto";
import type { EmailMessage, EmailSender, OutgoingMessage, SmsMessage, SmsSender } from "./types.js";

/**
 * The JSON a webhook receives, field for field as issue 3 specifies. Code messages carry
 * `channel` and `code`; notifications carry `purpose` instead.
 */
export function webhookBody(m: OutgoingMessage): Record<string, string> {
  const head: Record<string, string> = { kind: m.kind };
  if (m.code !== undefined) head.channel = m.channel ?? "";
  else head.purpose = m.purpose ?? "";
  if (m.kind === "sms") {
    return {
      ...head,
      to: m.to,
      phoneNumber: m.phoneNumber,
      phoneCountryCode: m.phoneCountryCode,
      ...(m.code !== undefined ? { code: m.code } : {}),
      text: m.text,
    };
  }
  return {
    ...head,
    to: m.to,
    ...(m.code !== undefined ? { code: m.code } : {}),
    subject: m.subject,
    text: m.text,
    html: m.html,
  };
}

/** `sha256=<hex HMAC-SHA256 of the exact body>` for the x-gatehouse-signature header. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface WebhookOptions {
  url: string;
  secret?: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Further attempts after the first, on network errors, timeouts, 408, 429 and 5xx. */
  retries?: number;
  /** Delay before retry n is backoffMs * 2^(n-1). */
  backoffMs?: number;
}

class PermanentFailure extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs each message as JSON; bounded retries with exponential backoff; a 4xx is final. */
export function webhookSender(opts: WebhookOptions): SmsSender & EmailSender {
  const { url, secret, timeoutMs = 5000, retries = 2, backoffMs = 250 } = opts;
  async function attempt(body: string): Promise<void> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Gatehouse-Webhook",
    };
    if (secret) headers["x-gatehouse-signature"] = webhookSignature(secret, body);
    const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    if (res.ok) return;
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
    const err = new (retryable ? Error : PermanentFailure)(`webhook answered HTTP ${res.status}`);
    throw err;
  }
  return {
    async send(message: SmsMessage | EmailMessage): Promise<void> {
      const body = JSON.stringify(webhookBody(message));
      for (let n = 0; ; n++) {
        try {
          return await attempt(body);
        } catch (err) {
          if (err instanceof PermanentFailure || n >= retries) throw err;
          await sleep(backoffMs * 2 ** n);
        }
      }
    },
  };
}
