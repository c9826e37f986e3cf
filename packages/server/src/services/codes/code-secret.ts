import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { randomHex } from "../../lib/ids.js";

/** What a code is bound to; part of the HMAC input, so a hash never verifies for another binding. */
export interface CodeBinding {
  poolId: string;
  kind: string;
  channel: string;
  target: string;
}

/** `length` decimal digits from the CSPRNG (leading zeros kept). */
export function generateCode(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += String(randomInt(0, 10));
  return out;
}

/** hex HMAC-SHA256 keyed with the server secret: the only form in which a code is stored. */
export function hashCode(secret: string, b: CodeBinding, code: string): string {
  return createHmac("sha256", secret)
    .update(["gatehouse-code-v1", b.poolId, b.kind, b.channel, b.target, code].join("\0"))
    .digest("hex");
}

/** Constant-time comparison of a candidate against a stored hash. */
export function codeMatches(secret: string, b: CodeBinding, candidate: string, storedHash: string): boolean {
  const a = Buffer.from(hashCode(secret, b, candidate), "hex");
  const s = Buffer.from(storedHash, "hex");
  return a.length === s.length && timingSafeEqual(a, s);
}

/** A stored hash no code can match (codes requested for unknown accounts: nothing usable). */
export function unusableHash(): string {
  return randomHex(32);
}
