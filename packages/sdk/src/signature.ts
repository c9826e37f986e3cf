/**
 * The management request signature of authing-node-sdk 4.0.1 (wire contract §1.4.2), on WebCrypto:
 * `base64(HMAC-SHA1(accessKeySecret, METHOD\n + canonical headers + canonical resource))`.
 */

const clean = (value: unknown) =>
  (typeof value === "string" ? value.replace(/[\t\n\r\f]/g, " ") : String(value)).trim();

/** `name:value\n` for every `date` / `x-authing-*` header, names sorted. */
export function canonicalHeaders(headers: Record<string, unknown>): string {
  return Object.keys(headers)
    .filter((k) => k.startsWith("x-authing-") || k === "date")
    .sort()
    .map((k) => `${k}:${clean(headers[k])}\n`)
    .join("");
}

/**
 * Path plus sorted `k=v` pairs, no URL encoding; objects as JSON, undefined skipped. A parameter
 * object whose every value is undefined still yields `path?` — the official SDK does that too.
 */
export function canonicalResource(path: string, params: Record<string, unknown>): string {
  const keys = Object.keys(params).sort();
  if (keys.length === 0) return path;
  const pairs: string[] = [];
  for (const key of keys) {
    const value = params[key];
    if (value === undefined) continue;
    pairs.push(`${key}=${typeof value === "object" && value !== null ? JSON.stringify(value) : value}`);
  }
  return `${path}?${pairs.join("&")}`;
}

export function stringToSign(
  method: string,
  path: string,
  headers: Record<string, unknown>,
  params: Record<string, unknown>,
): string {
  return `${method}\n${canonicalHeaders(headers)}${canonicalResource(path, params)}`;
}

function base64(bytes: ArrayBuffer): string {
  let bin = "";
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** An HMAC-SHA1 key for `sign`; import once per client. */
export function importHmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
}

export async function hmacSha1Base64(key: CryptoKey, message: string): Promise<string> {
  return base64(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
}

/** `authing <accessKeyId>:<signature>` */
export async function authorizationHeader(accessKeyId: string, key: CryptoKey, toSign: string) {
  return `authing ${accessKeyId}:${await hmacSha1Base64(key, toSign)}`;
}

/** 32 hex characters, fresh per request (the official SDK uses an md5 of host, pid and a random number). */
export function makeNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
