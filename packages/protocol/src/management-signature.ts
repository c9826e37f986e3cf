/**
 * The canonical string of GenAuth's management request signature, byte for byte what
 * authing-node-sdk 4.0.1 signs (docs/wire-contract.md §1.4.2):
 *   stringToSign = METHOD \n canonicalHeaders canonicalResource
 *   signature    = base64(HMAC-SHA1(accessKeySecret, stringToSign))
 * The SDK builds it from what it sends; the server from what it received. Only the string lives
 * here: the HMAC needs WebCrypto in the SDK and node:crypto on the server.
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
