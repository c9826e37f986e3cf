/**
 * What the floors (servers/pair-floor.ts, servers/totp-floor.ts) share: a refusal their error
 * handler answers as a 400 envelope, and the caller of a request from its RS256 access token.
 */
import { type CryptoKey, jwtVerify, type KeyObject } from "jose";

export class Refused extends Error {}

export const envelope = (data: unknown) => ({ statusCode: 200, message: "", apiCode: 0, data });

/**
 * Like Gatehouse (services/tokens/tokens.ts), a signed token's check is remembered: the RSA
 * verification runs once per token, the expiry on every request. Without it a floor would pay a
 * cost Gatehouse does not, and would not be a lower bound.
 */
export function tokenCaller(key: CryptoKey | KeyObject) {
  const verified = new Map<string, { sub: string; exp: number }>();
  return async (authorization: string | undefined): Promise<string> => {
    const token = (authorization ?? "").replace(/^Bearer /, "");
    let c = verified.get(token);
    if (!c) {
      const { payload } = await jwtVerify(token, key, { algorithms: ["RS256"] });
      c = { sub: payload.sub as string, exp: payload.exp as number };
      if (verified.size >= 10_000) verified.clear();
      verified.set(token, c);
    }
    if (c.exp * 1000 <= Date.now()) throw new Refused("expired");
    return c.sub;
  };
}
