import type { IntrospectionResponse } from "@gatehouse/protocol";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { ResolvedAccessKey } from "../admin/access-keys.js";
import { ACCESS_TYP, CLIENT_CREDENTIALS_GTY, isClientCredentialsToken } from "./access-claims.js";
import { signJwt } from "./jwt.js";
import type { SigningKeys } from "./signing-keys.js";
import type { TokenSet } from "./tokens.js";

/** Lifetime of a client-credentials token: an hour, like most providers' machine tokens. */
export const CLIENT_TOKEN_TTL_SECONDS = 3600;
/** Every this many revocations, records past their token's expiry are deleted. */
const PURGE_EVERY = 200;

/** The claims of a client-credentials token that the checks below read. */
export interface ClientTokenClaims {
  sub: string;
  aud: string;
  jti: string;
  exp: number;
  iat: number;
  scope: string;
}

export interface ClientTokensDeps {
  repos: Repositories;
  signingKeys: SigningKeys;
  clock: Clock;
  issuer: string;
  /** Whether an access key is still enabled (a disabled or deleted key's tokens stop working). */
  keyEnabled: (accessKeyId: string) => Promise<boolean>;
  /** How long a node trusts what it read about a token's revocation and key (as sessions do). */
  cacheTtlMs?: number;
}

const sec = (ms: number) => Math.floor(ms / 1000);

/**
 * Access tokens of the client-credentials grant (docs/oidc-tokens.md §Client credentials): signed
 * like a user's access token, but naming an access key (`sub` = `client_id` = the key) and no
 * session. They are not stored; a revocation is, until the token would have expired.
 */
export function createClientTokens({
  repos,
  signingKeys,
  clock,
  issuer,
  keyEnabled,
  cacheTtlMs,
}: ClientTokensDeps) {
  const ttl = cacheTtlMs ?? 900;
  /** jti → whether the token is usable (not revoked, key enabled), and when that was read. */
  const usable = new Map<string, { ok: boolean; readAt: number }>();
  let revocations = 0;

  function issue(key: ResolvedAccessKey, scope: string): TokenSet {
    const iat = sec(clock.now());
    const access_token = signJwt(
      {
        iss: issuer,
        sub: key.accessKeyId,
        aud: key.accessKeyId,
        client_id: key.accessKeyId,
        gty: CLIENT_CREDENTIALS_GTY,
        iat,
        exp: iat + CLIENT_TOKEN_TTL_SECONDS,
        scope,
        jti: newId(),
      },
      signingKeys.current(),
      ACCESS_TYP,
    );
    return { access_token, token_type: "Bearer", expires_in: CLIENT_TOKEN_TTL_SECONDS, scope };
  }

  /** Signature, shape and expiry of a client-credentials token; undefined for anything else. */
  async function verified(token: string): Promise<ClientTokenClaims | undefined> {
    const check = await signingKeys.verify(token);
    if (!check.ok || check.header.typ !== ACCESS_TYP) return undefined;
    const c = check.payload;
    if (!isClientCredentialsToken(c) || c.iss !== issuer) return undefined;
    if (
      typeof c.sub !== "string" ||
      typeof c.aud !== "string" ||
      typeof c.jti !== "string" ||
      typeof c.exp !== "number" ||
      typeof c.iat !== "number"
    )
      return undefined;
    if (c.exp * 1000 <= clock.now()) return undefined;
    return { ...(c as unknown as ClientTokenClaims), scope: typeof c.scope === "string" ? c.scope : "" };
  }

  /** Not revoked and its key still enabled, from a per-node cache for at most `ttl`. */
  async function stillUsable(claims: ClientTokenClaims): Promise<boolean> {
    const now = clock.now();
    const hit = usable.get(claims.jti);
    if (hit && now - hit.readAt < ttl) return hit.ok;
    const [revoked, enabled] = await Promise.all([
      repos.clientTokens.isClientTokenRevoked(claims.jti),
      keyEnabled(claims.sub),
    ]);
    const ok = !revoked && enabled;
    usable.set(claims.jti, { ok, readAt: now });
    if (usable.size > 10_000) {
      const oldest = usable.keys().next().value;
      if (oldest !== undefined) usable.delete(oldest);
    }
    return ok;
  }

  /** A usable client-credentials token of this key; anything else is undefined. */
  async function check(token: string, accessKeyId?: string): Promise<ClientTokenClaims | undefined> {
    const claims = await verified(token);
    if (!claims || (accessKeyId !== undefined && claims.sub !== accessKeyId)) return undefined;
    return (await stillUsable(claims)) ? claims : undefined;
  }

  return {
    issue,
    check,

    /** RFC 7662 for the key the token was issued to; to anyone else it is inactive. */
    async introspect(accessKeyId: string, token: string): Promise<IntrospectionResponse> {
      const c = await check(token, accessKeyId);
      if (!c) return { active: false };
      return {
        active: true,
        sub: c.sub,
        client_id: c.sub,
        aud: c.aud,
        exp: c.exp,
        iat: c.iat,
        iss: issuer,
        jti: c.jti,
        scope: c.scope,
        token_type: "Bearer",
      };
    },

    /** RFC 7009: only the key the token was issued to can revoke it; anything else is ignored. */
    async revoke(accessKeyId: string, token: string): Promise<void> {
      const c = await verified(token);
      if (!c || c.sub !== accessKeyId) return;
      const now = clock.now();
      await repos.clientTokens.revokeClientToken({
        jti: c.jti,
        access_key_id: accessKeyId,
        revoked_at: now,
        expires_at: c.exp * 1000,
      });
      usable.delete(c.jti);
      if (++revocations % PURGE_EVERY === 0) await repos.clientTokens.purgeExpiredClientTokenRevocations(now);
    },
  };
}
export type ClientTokens = ReturnType<typeof createClientTokens>;
