/**
 * The management request signature of authing-node-sdk 4.0.1 (docs/wire-contract.md §1.4.2), on
 * WebCrypto: `base64(HMAC-SHA1(accessKeySecret, stringToSign))`. The canonical string is built in
 * @gatehouse/protocol, shared with the server that verifies it.
 */

export { canonicalHeaders, canonicalResource, stringToSign } from "@gatehouse/protocol";

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
