import { createHmac } from "node:crypto";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isPrivateAddress } from "./webhook-url.js";

/** What one attempt sends (docs/events.md#what-a-receiver-gets). */
export interface WebhookCall {
  url: string;
  contentType: "application/json" | "application/x-www-form-urlencoded";
  secret: string;
  poolId: string;
  /** Stable across attempts and nodes: the receiver's de-duplication key (`webhook-id`). */
  messageId: string;
  /**
   * `{eventName, data}`, as an object or as its JSON text: an event's stored `data` is that text
   * already, and a JSON body is sent as it is, neither parsed nor encoded again per delivery.
   */
  payload: { eventName: string; data: unknown } | string;
  timeoutMs: number;
  allowPrivate: boolean;
}

export interface WebhookAttempt {
  requestBody: string;
  requestHeaders: Record<string, string>;
  status: number | null;
  responseHeaders: Record<string, string> | null;
  /** The first 2 KB of the answer. */
  responseBody: string | null;
  error: string | null;
  durationMs: number;
}

const EXCERPT_BYTES = 2048;

/** Form bodies: each top-level field, objects as JSON (GenAuth's form-encoded webhooks). */
function encodeBody(call: WebhookCall): string {
  const { payload: given } = call;
  if (call.contentType === "application/json")
    return typeof given === "string" ? given : JSON.stringify(given);
  const payload =
    typeof given === "string" ? (JSON.parse(given) as { eventName: string; data: unknown }) : given;
  const form = new URLSearchParams();
  form.set("eventName", payload.eventName);
  form.set("data", JSON.stringify(payload.data));
  return form.toString();
}

/**
 * The Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256, keyed with the secret's UTF-8
 * bytes, of `<id>.<unix seconds>.<body>` — what the `standardwebhooks` package signs with a raw
 * key (a test verifies ours with it), through `node:crypto` instead of its JavaScript SHA-256,
 * which cost several times as much per delivery (docs/performance.md, "The event path").
 */
export function webhookSignature(secret: string, messageId: string, seconds: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${messageId}.${seconds}.`).update(body);
  return `v1,${mac.digest("base64")}`;
}

/**
 * GenAuth's headers and, beside them, the Standard Webhooks ones: `webhook-timestamp` and
 * `webhook-signature` are made afresh for every attempt, so a retry a day later still verifies.
 */
export function webhookHeaders(call: WebhookCall, body: string, now: Date): Record<string, string> {
  const seconds = Math.floor(now.getTime() / 1000);
  return {
    "content-type": call.contentType,
    "user-agent": "authing-webhook@2.0",
    "x-authing-webhook-secret": call.secret,
    "x-authing-userpool-id": call.poolId,
    "webhook-id": call.messageId,
    "webhook-timestamp": String(seconds),
    "webhook-signature": webhookSignature(call.secret, call.messageId, seconds, body),
  };
}

/** Refuses, at connect time, a name that resolves to a private address (DNS rebinding included). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || list.length === 0) {
      return callback(new Error(`${hostname} resolves to a private address`), "", 0);
    }
    if ((options as { all?: boolean }).all) return (callback as any)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/**
 * Connections are kept alive between a webhook's deliveries: a lane sends one after another, and
 * a new connection per attempt cost a handshake each. The SSRF check runs at every connect.
 */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 60_000 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 60_000 }),
};

/** One POST, at most `timeoutMs` from start to the end of the answer; never throws. */
export function postWebhook(call: WebhookCall, now: Date): Promise<WebhookAttempt> {
  const body = encodeBody(call);
  const headers = webhookHeaders(call, body, now);
  const started = performance.now();
  const url = new URL(call.url);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (a: Omit<WebhookAttempt, "requestBody" | "requestHeaders" | "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const { "x-authing-webhook-secret": _hidden, ...logged } = headers;
      resolve({
        ...a,
        requestBody: body,
        requestHeaders: logged,
        durationMs: Math.round(performance.now() - started),
      });
    };
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        agent: url.protocol === "https:" ? agents.https : agents.http,
        ...(call.allowPrivate ? {} : { lookup: publicOnlyLookup }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on("end", () =>
          finish({
            status: res.statusCode ?? null,
            responseHeaders: Object.fromEntries(
              Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)]),
            ),
            responseBody: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8"),
            error: null,
          }),
        );
        res.on("error", (err) =>
          finish({
            status: res.statusCode ?? null,
            responseHeaders: null,
            responseBody: null,
            error: err.message,
          }),
        );
      },
    );
    const timer = setTimeout(() => {
      finish({
        status: null,
        responseHeaders: null,
        responseBody: null,
        error: `timeout after ${call.timeoutMs} ms`,
      });
      req.destroy();
    }, call.timeoutMs);
    req.on("error", (err) =>
      finish({ status: null, responseHeaders: null, responseBody: null, error: err.message }),
    );
    req.end(body);
  });
}
