import { randomBytes } from "node:crypto";

/**
 * CSPRNG bytes drawn from a buffer refilled 4 KB at a time: one call into the CSPRNG per few
 * hundred ids instead of one per id, which showed in the write paths' profiles (Node's own
 * `randomUUID` keeps such a cache too). Every byte is handed out once.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

function draw(bytes: number, encoding: "hex" | "base64url"): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const out = pool.toString(encoding, offset, offset + bytes);
  offset += bytes;
  return out;
}

/** `bytes` random bytes as hex. */
export const randomHex = (bytes: number): string => draw(bytes, "hex");

/** `bytes` random bytes as base64url (tokens). */
export const randomBase64url = (bytes: number): string => draw(bytes, "base64url");

/** 24 hex characters, the shape of GenAuth's ids. */
export function newId(): string {
  return randomHex(12);
}

/** A random secret of 32 hex characters (app secrets, pool secrets). */
export function newSecret(): string {
  return randomHex(16);
}
