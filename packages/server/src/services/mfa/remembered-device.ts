import { createHmac, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../lib/clock.js";

/** Longer is no value of ours: refused before any work. */
const MAX_VALUE_LENGTH = 512;

interface Claims {
  p: string;
  u: string;
  /** epoch seconds */
  exp: number;
}

/**
 * "Remember this device" (docs/mfa.md §The hosted sign-in step): a cookie value naming a pool, a
 * user and an expiry, signed with an HMAC of the server secret. It only lets the hosted sign-in
 * skip asking a second factor the user would otherwise be asked for; a value of another user or
 * pool, tampered with or expired, remembers nothing.
 */
export function createRememberedDevices({ secret, clock }: { secret: string; clock: Clock }) {
  const sign = (body: string) =>
    createHmac("sha256", secret).update(`mfa-remembered-device:${body}`).digest("base64url");

  return {
    /** A value for `days` days and its lifetime in seconds (the cookie's Max-Age). */
    issue(poolId: string, userId: string, days: number): { value: string; maxAge: number } {
      const maxAge = Math.floor(days * 86_400);
      const claims: Claims = { p: poolId, u: userId, exp: Math.floor(clock.now() / 1000) + maxAge };
      const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
      return { value: `${body}.${sign(body)}`, maxAge };
    },

    /** Whether the value remembers this user of this pool now. */
    remembers(value: string | undefined, poolId: string, userId: string): boolean {
      if (!value || value.length > MAX_VALUE_LENGTH) return false;
      const [body, sig, extra] = value.split(".");
      if (!body || !sig || extra !== undefined) return false;
      const want = Buffer.from(sign(body));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return false;
      try {
        const c = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Claims;
        return c.p === poolId && c.u === userId && typeof c.exp === "number" && c.exp * 1000 > clock.now();
      } catch {
        return false;
      }
    },
  };
}
export type RememberedDevices = ReturnType<typeof createRememberedDevices>;
