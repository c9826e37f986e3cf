import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";

/**
 * The server's one JWT stack: compact JWS on node:crypto, signing and verifying every token it
 * issues — access, ID and management tokens. Kept over a JWT library (jose) because the
 * access-token check sits on every authenticated request and node:crypto verifies synchronously:
 * no promise chain, no WebCrypto key import, no libuv pool slot (argon2 hashing holds those under
 * a burst of sign-ins; docs/performance.md). The format is small enough to own: RS256 for access
 * and ID tokens, HS256 for an application's ID tokens keyed with its secret and for management
 * tokens keyed with a server-derived key (signHs256Jwt, verifyHs256Jwt). Only the signature and
 * `alg` are checked here; claims (`exp`, `iss`, `aud` …) are each caller's business.
 */
export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function signJwt(
  payload: Record<string, unknown>,
  key: { kid: string; privateKey: KeyObject },
  typ: string,
): string {
  const input = `${b64({ alg: "RS256", typ, kid: key.kid })}.${b64(payload)}`;
  const signature = sign("RSA-SHA256", Buffer.from(input), key.privateKey).toString("base64url");
  return `${input}.${signature}`;
}

/**
 * signJwt with the RSA private-key operation (~0.25 ms of CPU, a quarter of a code exchange's main
 * thread) in libuv's thread pool instead of on the event loop: the same bytes, signed by the same
 * OpenSSL call, while the event loop serves other requests (docs/performance.md, "Token
 * signatures off the event loop"). Callers use it only while no password hash holds the pool
 * (services/tokens/tokens.ts, `signOffThread`).
 */
export function signJwtOffThread(
  payload: Record<string, unknown>,
  key: { kid: string; privateKey: KeyObject },
  typ: string,
): Promise<string> {
  const input = `${b64({ alg: "RS256", typ, kid: key.kid })}.${b64(payload)}`;
  return new Promise((resolve, reject) => {
    sign("RSA-SHA256", Buffer.from(input), key.privateKey, (err, signature) => {
      if (err) reject(err);
      else resolve(`${input}.${signature.toString("base64url")}`);
    });
  });
}

/**
 * An HS256 JWS keyed with the secret's UTF-8 bytes — how GenAuth signs an application's ID tokens
 * when its `id_token_signed_response_alg` is HS256, and how the official SDK's parseIDToken checks
 * them (docs/wire-contract.md §2.6). No `kid`: the key is the application's, named by `aud`. A Buffer
 * secret is used as the raw key (management tokens).
 */
export function signHs256Jwt(payload: Record<string, unknown>, secret: string | Buffer, typ: string): string {
  const input = `${b64({ alg: "HS256", typ })}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

export type JwtCheck =
  | { ok: true; header: JwtHeader; payload: Record<string, unknown> }
  | { ok: false; reason: "malformed" | "unknown-key" | "bad-signature" };

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function parseSegment(segment: string): any {
  const value = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
  return value;
}

/** Decodes without verifying (to read `kid` or an expired hint). */
export function decodeJwt(
  token: string,
): { header: JwtHeader; payload: Record<string, unknown> } | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return undefined;
  try {
    return { header: parseSegment(parts[0]), payload: parseSegment(parts[1]) };
  } catch {
    return undefined;
  }
}

/** Verifies the RS256 signature with the key named by `kid`; claims are the caller's business. */
export function verifyJwt(
  token: string,
  keyFor: (kid: string | undefined) => KeyObject | undefined,
): JwtCheck {
  if (token.length > 8192) return { ok: false, reason: "malformed" };
  const decoded = decodeJwt(token);
  if (decoded?.header.alg !== "RS256") return { ok: false, reason: "malformed" };
  const key = keyFor(decoded.header.kid);
  if (!key) return { ok: false, reason: "unknown-key" };
  const dot = token.lastIndexOf(".");
  const valid = verify(
    "RSA-SHA256",
    Buffer.from(token.slice(0, dot)),
    key,
    Buffer.from(token.slice(dot + 1), "base64url"),
  );
  return valid ? { ok: true, ...decoded } : { ok: false, reason: "bad-signature" };
}

/** Verifies an HS256 token (see signHs256Jwt) with `secret`; undefined: no such application. */
export function verifyHs256Jwt(token: string, secret: string | Buffer | undefined): JwtCheck {
  if (token.length > 8192) return { ok: false, reason: "malformed" };
  const decoded = decodeJwt(token);
  if (decoded?.header.alg !== "HS256") return { ok: false, reason: "malformed" };
  if (secret === undefined) return { ok: false, reason: "unknown-key" };
  const dot = token.lastIndexOf(".");
  const expected = createHmac("sha256", secret).update(token.slice(0, dot)).digest();
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const valid = given.length === expected.length && timingSafeEqual(given, expected);
  return valid ? { ok: true, ...decoded } : { ok: false, reason: "bad-signature" };
}

/** OIDC `at_hash`: base64url of the left half of SHA-256 over the access token. */
export function atHash(accessToken: string): string {
  const digest = createHash("sha256").update(accessToken, "ascii").digest();
  return digest.subarray(0, digest.length / 2).toString("base64url");
}

export { createPrivateKey, createPublicKey };
