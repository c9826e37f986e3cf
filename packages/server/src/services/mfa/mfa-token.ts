import { createHmac, timingSafeEqual } from "node:crypto";
import type { MfaTokenIntrospectResponse } from "@gatehouse/protocol";
import type { Clock } from "../../lib/clock.js";
import { randomBase64url } from "../../lib/ids.js";
import type { AmrValue } from "../tokens/auth-context.js";

/** How long a user has to complete the second factor after the first (docs/mfa.md §MFA token). */
export const MFA_TOKEN_TTL_S = 600;

interface Claims {
  p: string;
  u: string;
  iat: number;
  exp: number;
  jti: string;
  /** The application the sign-in is for; absent for a token of no sign-in. */
  a?: string;
  /** The first factor's `amr` values. */
  m?: AmrValue[];
  /** The scope the sign-in asked for. */
  s?: string;
}

/** What a sign-in's MFA token carries over to the step that completes it. */
export interface MfaSignIn {
  appId?: string;
  amr?: AmrValue[];
  scope?: string;
}

/** A live token, read. */
export interface MfaTokenClaims extends MfaSignIn {
  poolId: string;
  userId: string;
  jti: string;
  /** epoch seconds */
  exp: number;
}

/**
 * The MFA token a first factor hands out: who passed the first factor, signed with an HMAC of the
 * server secret, valid ten minutes. `introspect` answers `POST /mfa/token/introspection`.
 */
export function createMfaTokens({ secret, clock }: { secret: string; clock: Clock }) {
  const sign = (body: string) => createHmac("sha256", secret).update(`mfa-token:${body}`).digest("base64url");

  function read(token: string): Claims | undefined {
    const [body, sig, extra] = token.split(".");
    if (!body || !sig || extra !== undefined || body.length > 1024) return undefined;
    const want = Buffer.from(sign(body));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Claims;
      return claims.exp * 1000 > clock.now() ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  return {
    issue(poolId: string, userId: string, signIn: MfaSignIn = {}): string {
      const iat = Math.floor(clock.now() / 1000);
      const claims: Claims = {
        p: poolId,
        u: userId,
        iat,
        exp: iat + MFA_TOKEN_TTL_S,
        jti: randomBase64url(12),
        ...(signIn.appId ? { a: signIn.appId } : {}),
        ...(signIn.amr?.length ? { m: signIn.amr } : {}),
        ...(signIn.scope ? { s: signIn.scope } : {}),
      };
      const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
      return `${body}.${sign(body)}`;
    },
    /** Everything a live token says, or undefined (spent or not: see `ctx.mfa.introspect`). */
    read(token: string): MfaTokenClaims | undefined {
      const c = read(token);
      return c && { poolId: c.p, userId: c.u, jti: c.jti, exp: c.exp, appId: c.a, amr: c.m, scope: c.s };
    },
    /** The user a live token names, or undefined. */
    subject(token: string): { poolId: string; userId: string } | undefined {
      const c = read(token);
      return c && { poolId: c.p, userId: c.u };
    },
    introspect(token: string | undefined): MfaTokenIntrospectResponse {
      const c = token ? read(token) : undefined;
      if (!c) return { active: false };
      return { active: true, userPoolId: c.p, userId: c.u, exp: c.exp, iat: c.iat };
    },
  };
}
export type MfaTokens = ReturnType<typeof createMfaTokens>;
