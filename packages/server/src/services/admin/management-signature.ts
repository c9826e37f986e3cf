import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * GenAuth's management request signature, reproduced exactly (wire contract §1.4.2):
 *   stringToSign = METHOD \n canonicalHeaders canonicalResource
 *   signature    = base64(HMAC-SHA1(accessKeySecret, stringToSign))
 * The server rebuilds what the SDK signed from what reached the wire; where that is ambiguous
 * (params that were all undefined) every candidate is tried.
 */

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (`request.url`). */
  url: string;
  headers: HeaderBag;
  /** The parsed JSON body, for every method but GET. */
  body?: unknown;
}

/** `authorization: authing <accessKeyId>:<base64 signature>`. */
export function parseSignatureAuthorization(
  header: string | undefined,
): { accessKeyId: string; signature: string } | undefined {
  const m = /^authing ([^:\s]{1,128}):([A-Za-z0-9+/=]{1,128})$/.exec(header?.trim() ?? "");
  return m ? { accessKeyId: m[1]!, signature: m[2]! } : undefined;
}

function headerValue(v: string | string[] | undefined): string {
  const s = Array.isArray(v) ? v.join(", ") : (v ?? "");
  return s.replace(/[\t\n\r\f]/g, " ").trim();
}

/** `date` and every `x-authing-*` header, sorted by name, one `name:value\n` each. */
export function canonicalHeaders(headers: HeaderBag): string {
  return Object.keys(headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith("x-authing-") || k === "date")
    .sort()
    .map((k) => `${k}:${headerValue(headers[k])}\n`)
    .join("");
}

/** GET: the query decoded (`+` is a space), `k[]` repeats folded back into the JSON array the SDK signed. */
export function queryParams(url: string): Map<string, string> {
  const q = url.indexOf("?");
  const out = new Map<string, string>();
  if (q < 0) return out;
  const arrays = new Map<string, string[]>();
  const single = new Map<string, string>();
  for (const [rawKey, value] of new URLSearchParams(url.slice(q + 1))) {
    const isArray = rawKey.endsWith("[]");
    const key = isArray ? rawKey.slice(0, -2) : rawKey;
    const list = arrays.get(key);
    if (list) list.push(value);
    else if (isArray) arrays.set(key, [value]);
    else if (single.has(key)) {
      arrays.set(key, [single.get(key)!, value]);
      single.delete(key);
    } else single.set(key, value);
  }
  for (const [k, v] of single) out.set(k, v);
  for (const [k, v] of arrays) out.set(k, JSON.stringify(v));
  return out;
}

/** Non-GET: the JSON body field by field; nested values as JSON in their original key order. */
export function bodyParams(body: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (body === null || typeof body !== "object") return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (v === undefined) continue;
    out.set(k, v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));
  }
  return out;
}

/** The canonical resources the SDK may have signed for this request (usually exactly one). */
export function canonicalResources(method: string, url: string, body: unknown): string[] {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const params = method.toUpperCase() === "GET" ? queryParams(url) : bodyParams(body);
  if (params.size === 0) return [path, `${path}?`];
  const keys = [...params.keys()].sort();
  return [`${path}?${keys.map((k) => `${k}=${params.get(k)}`).join("&")}`];
}

export function stringsToSign(req: SignedRequest): string[] {
  const head = `${req.method.toUpperCase()}\n${canonicalHeaders(req.headers)}`;
  return canonicalResources(req.method, req.url, req.body).map((r) => head + r);
}

export function sign(secret: string, stringToSign: string): string {
  return createHmac("sha1", secret).update(Buffer.from(stringToSign, "utf8")).digest("base64");
}

/** Constant-time comparison against every candidate. */
export function signatureMatches(secret: string, req: SignedRequest, signature: string): boolean {
  const given = Buffer.from(signature, "utf8");
  let ok = false;
  for (const s of stringsToSign(req)) {
    const expected = Buffer.from(sign(secret, s), "utf8");
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
