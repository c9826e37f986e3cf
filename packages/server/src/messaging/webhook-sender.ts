import { createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { EmailMessage, EmailSender, OutgoingMessage, SmsMessage, SmsSender } from "./types.js";

/**
 * The JSON a message webhook receives (a gateway parses it: messaging/senders.test.ts pins every field). Code messages carry
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
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  // Keep-alive sockets: a message does not pay for a new connection (or TLS handshake).
  const agent = new client.Agent({ keepAlive: true, maxSockets: 64 });
  /** One POST with node:http (fetch allocates several times as much per message). */
  function attempt(body: string): Promise<void> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      "user-agent": "Gatehouse-Webhook",
    };
    if (secret) headers["x-gatehouse-signature"] = webhookSignature(secret, body);
    return new Promise<void>((resolve, reject) => {
      const req = client.request(target, { method: "POST", headers, agent, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on("error", reject);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const retryable = status >= 500 || status === 408 || status === 429;
          reject(new (retryable ? Error : PermanentFailure)(`webhook answered HTTP ${status}`));
        });
      });
      req.on("timeout", () =>
        req.destroy(new DOMException(`webhook timed out after ${timeoutMs} ms`, "TimeoutError")),
      );
      req.on("error", reject);
      req.end(body);
    });
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
