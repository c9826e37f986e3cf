import { createHmac } from "node:crypto";
import type { IntrospectionResponse } from "@gatehouse/protocol";
import type { Kysely } from "kysely";
import { OAuthError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId, randomBase64url } from "../../lib/ids.js";
import { allOrNothing, type Step, StepFailed } from "../../storage/repos/all-or-nothing.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { Database } from "../../storage/schema.js";
import { type Emit, userEvent } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import type { SecretBox } from "../secrets/secret-box.js";
import type { UserDtoDefaults } from "../users/dto.js";
import { ACCESS_TYP, isClientCredentialsToken } from "./access-claims.js";
import { appConfig } from "./app-config.js";
import { amrFromText, authContextClaims } from "./auth-context.js";
import { needsPoolDefaults, scopeSet, userClaims } from "./claims.js";
import {
  atHash,
  decodeJwt,
  signHs256Jwt,
  signJwt,
  signJwtOffThread,
  verifyHs256Jwt,
  verifyJwt,
} from "./jwt.js";
import type { Sessions } from "./sessions.js";
import type { SigningKey, SigningKeys } from "./signing-keys.js";

/** What `requireUser` puts on `request.user` after checking the access token. */
export interface AuthenticatedUser {
  userId: string;
  poolId: string;
  appId: string;
  sessionId: string;
  scope: string;
  accessTokenJti: string;
}

export interface TokenSet {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: "Bearer";
  /** seconds */
  expires_in: number;
  scope: string;
}

export interface LoginGrant {
  app: ApplicationRow;
  user: UserRow;
  /** Already granted (see grantScope). */
  scope: string;
  nonce?: string;
  ip: string | null;
  userAgent: string | null;
  /** When the user signed in (epoch ms), for `auth_time`; the default is now. */
  authTime?: number;
  /** The browser session a code exchange or front-channel response is issued in (docs/oidc-provider.md). */
  parentSessionId?: string;
  /** Whether a refresh token comes too; the default is when `offline_access` was granted. */
  refresh?: boolean;
  /** The authorization code returned beside the ID token (hybrid flow): its `c_hash`. */
  code?: string;
  /** How the user got in, for the ID token's `amr` and `acr` (auth-context.ts). */
  amr?: readonly string[];
}

export type AccessCheck =
  | { ok: true; user: AuthenticatedUser; claims: Record<string, unknown> }
  /** `machine`: a valid client-credentials token, which names no user (docs/oidc-tokens.md). */
  | { ok: false; reason: "invalid" | "expired" | "machine" };

const VERIFIED_CACHE_SIZE = 10_000;
const NBF_LEEWAY_MS = 30_000;
/** On the first refresh and every this many after, expired refresh tokens are deleted (a rotated one is kept until then, for reuse detection). */
const PURGE_EVERY = 500;

/** The claims every access token carries (checked once, see verifyAccessJwt). */
interface AccessClaims extends Record<string, unknown> {
  iss: string;
  sub: string;
  aud: string;
  sid: string;
  jti: string;
  exp: number;
  iat?: number;
  scope?: string;
}
const sec = (ms: number) => Math.floor(ms / 1000);

/** What an ID token carries beyond the user's claims. */
interface MintOptions {
  nonce?: string;
  /** epoch ms; the default is the token's `iat`. */
  authTime?: number;
  cHash?: string;
  /** How the user got in (`amr`, `acr`). */
  amr?: readonly string[];
  /** ID-token claims that needed a read (`roles`); access tokens never carry them. */
  extra?: Record<string, unknown>;
}

export interface TokensDeps {
  db: Kysely<Database>;
  repos: Repositories;
  signingKeys: SigningKeys;
  sessions: Sessions;
  clock: Clock;
  secret: string;
  /** Opens the applications' sealed secrets (HS256 ID tokens). */
  box: SecretBox;
  /** `iss` of every token: `${publicUrl}/oidc`. */
  issuer: string;
  /** The user's active role codes, for the `roles` scope's claim (services/authz, docs/authorization.md §Tokens). */
  roleCodes?: (poolId: string, userId: string) => Promise<string[]>;
  /** What a pool shows for what a user has not set (the `picture` claim's default avatar). */
  userDefaults: (poolId: string) => Promise<UserDtoDefaults>;
  emit: Emit;
  /**
   * Whether RS256 signatures may go to libuv's thread pool now (signJwtOffThread); the default is
   * never. Wired to "no password hash running or waiting" (context.ts): during a burst of
   * sign-ins the free pool threads would compete with the hashes for the cores.
   */
  signOffThread?: () => boolean;
}

/**
 * The one token service: every grant (sign-in and refresh today, the authorization code later)
 * ends in `mint`, and every check of an access token goes through `checkAccessToken`.
 */
export function createTokens({
  db,
  repos,
  signingKeys: keys,
  sessions,
  clock,
  secret,
  box,
  issuer,
  roleCodes,
  userDefaults,
  emit,
  signOffThread,
}: TokensDeps) {
  const signRs256 = (
    payload: Record<string, unknown>,
    key: SigningKey,
    typ: string,
  ): Promise<string> | string =>
    signOffThread?.() ? signJwtOffThread(payload, key, typ) : signJwt(payload, key, typ);
  const appSecret = (app: ApplicationRow): string => box.open("app-secret", app.id, app.secret);
  const verified = new Map<string, AccessClaims>();
  let verifiedWith = -1;
  let refreshes = 0;

  const hash = (token: string): string =>
    createHmac("sha256", secret).update(`refresh_token:${token}`).digest("hex");

  /**
   * A new session and its tokens for a successful login. The tokens are signed first; then the
   * session, its refresh token and whatever the caller records with them (`alongside`: the
   * login stamp, the history line) are written as one all-or-nothing batch — one statement on
   * PostgreSQL — so a login is stored whole or not at all.
   */
  async function issueForLogin(
    grant: LoginGrant,
    alongside: readonly Step[] | ((sessionId: string) => readonly Step[]) = [],
  ): Promise<TokenSet> {
    const set = await openSession(grant, alongside, true);
    return set as TokenSet;
  }

  /**
   * The same login when only an ID token is answered (`response_type` `id_token` or
   * `code id_token` at the authorization endpoint): its session is opened — the ID token's `sid`
   * names it, for logout — but no access token is signed, since nobody would receive it
   * (docs/oidc-provider.md §Authorization request).
   */
  async function issueIdTokenForLogin(
    grant: LoginGrant,
    alongside: readonly Step[] | ((sessionId: string) => readonly Step[]) = [],
  ): Promise<{ id_token: string }> {
    const set = await openSession({ ...grant, refresh: false }, alongside, false);
    if (!set.id_token) throw new Error("an ID token needs the openid scope");
    return { id_token: set.id_token };
  }

  async function openSession(
    grant: LoginGrant,
    alongside: readonly Step[] | ((sessionId: string) => readonly Step[]),
    withAccessToken: boolean,
  ): Promise<Partial<TokenSet>> {
    const cfg = appConfig(grant.app);
    const now = clock.now();
    const offline = grant.refresh ?? scopeSet(grant.scope).has("offline_access");
    const sessionEnds = now + 1000 * (offline ? cfg.refreshTokenExpiresIn : cfg.accessTokenExpiresIn);
    const session = sessions.newRow({
      poolId: grant.user.pool_id,
      userId: grant.user.id,
      appId: grant.app.id,
      scope: grant.scope,
      ip: grant.ip,
      userAgent: grant.userAgent,
      expiresAt: Math.max(sessionEnds, now + 1000 * cfg.accessTokenExpiresIn),
      parentSessionId: grant.parentSessionId,
      amr: grant.amr,
    });
    const options: MintOptions = {
      nonce: grant.nonce,
      authTime: grant.authTime,
      cHash: grant.code === undefined ? undefined : atHash(grant.code),
      amr: grant.amr,
      extra: await extraClaims(grant.user, grant.scope),
    };
    const set: Partial<TokenSet> = withAccessToken
      ? await mint(grant.app, grant.user, session.id, grant.scope, options)
      : { id_token: await signIdToken(grant.app, grant.user, session.id, grant.scope, undefined, options) };
    const refresh = offline ? newRefreshToken(grant.app, session.id, grant.scope) : undefined;
    await allOrNothing(db, [
      repos.sessions.insertSessionStep(session),
      ...(refresh ? [repos.sessions.insertRefreshTokenStep(refresh.row)] : []),
      ...(typeof alongside === "function" ? alongside(session.id) : alongside),
    ]);
    if (refresh) set.refresh_token = refresh.token;
    return set;
  }

  /** `grant_type=refresh_token`: rotates the token; a reused one ends the whole session. */
  async function refresh(
    app: ApplicationRow,
    refreshToken: string,
    origin: EventOrigin,
    scope?: string,
  ): Promise<TokenSet> {
    const invalid = () => new OAuthError("invalid_grant", "refresh token is invalid, expired or revoked");
    const now = clock.now();
    // The token and its session in one read; the user is read batched with the turn's other reads.
    const row = await repos.sessions.findRefreshTokenWithSession(hash(refreshToken));
    if (!row || row.app_id !== app.id) throw invalid();
    if (row.rotated_at !== null) {
      await sessions.end(row.session_id, "refresh_token_reuse");
      throw invalid();
    }
    if (row.expires_at <= now) throw invalid();
    if (row.session_ended_at !== null) throw invalid();
    const sessionId = row.session_id;
    const user = await repos.users.findUserById(row.session_pool_id, row.session_user_id);
    if (user?.status !== "Activated") throw invalid();
    const granted = narrowScope(row.scope, scope);

    // auth_time stays the sign-in's (OpenID Connect Core §12.2), not this refresh's; so do amr and acr.
    const authTime = Number(row.browser_auth_time ?? row.session_created_at);
    const set = await mint(app, user, sessionId, granted, {
      authTime,
      amr: amrFromText(row.session_amr),
      extra: await extraClaims(user, granted),
    });
    const next = newRefreshToken(app, sessionId, row.scope);
    // Rotated, replaced and the session extended all or nothing: one statement on PostgreSQL.
    try {
      await allOrNothing(db, [
        repos.sessions.rotateRefreshTokenStep(row.id, now),
        repos.sessions.insertRefreshTokenStep(next.row),
        repos.sessions.extendSessionStep(sessionId, next.row.expires_at),
        emit.step(repos, origin, userEvent("refresh-token", user, { appId: app.id })),
      ]);
    } catch (err) {
      if (!(err instanceof StepFailed)) throw err;
      // Someone used the same token a moment ago: the same theft signal as a later reuse.
      await sessions.end(sessionId, "refresh_token_reuse");
      throw invalid();
    }
    sessions.invalidate(sessionId);
    set.refresh_token = next.token;
    if (++refreshes % PURGE_EVERY === 1) await repos.sessions.purgeExpiredRefreshTokens(now);
    return set;
  }

  /** Verifies an access token and that its session is still open (the per-request hot path). */
  async function checkAccessToken(token: string): Promise<AccessCheck> {
    if (verifiedWith !== keys.version) {
      verified.clear();
      verifiedWith = keys.version;
    }
    const c = verified.get(token) ?? (await verifyAccessJwt(token));
    if (!c) return { ok: false, reason: "invalid" };
    if (c === "machine") return { ok: false, reason: "machine" };
    if (c.exp * 1000 <= clock.now()) {
      verified.delete(token);
      return { ok: false, reason: "expired" };
    }
    // RFC 7519 §4.1.5: not before its time (a little leeway for clocks of other nodes).
    if (typeof c.nbf === "number" && c.nbf * 1000 > clock.now() + NBF_LEEWAY_MS) {
      return { ok: false, reason: "invalid" };
    }
    const session = await sessions.isActive(c.sid, c.sub);
    if (!session) return { ok: false, reason: "invalid" };
    return {
      ok: true,
      claims: c,
      user: {
        userId: c.sub,
        poolId: session.poolId,
        appId: c.aud,
        sessionId: c.sid,
        scope: typeof c.scope === "string" ? c.scope : "",
        accessTokenJti: c.jti,
      },
    };
  }

  /**
   * Signature and claim shape of an access token. A signed token never changes, so the result
   * is remembered (bounded) and the RSA check runs once per token per node; expiry and the
   * session are still checked on every request.
   */
  async function verifyAccessJwt(token: string): Promise<AccessClaims | "machine" | undefined> {
    const check = await keys.verify(token);
    if (!check.ok || check.header.typ !== ACCESS_TYP) return undefined;
    const c = check.payload;
    if (isClientCredentialsToken(c)) return "machine";
    if (
      c.iss !== issuer ||
      typeof c.sub !== "string" ||
      typeof c.sid !== "string" ||
      typeof c.aud !== "string" ||
      typeof c.jti !== "string" ||
      typeof c.exp !== "number"
    ) {
      return undefined;
    }
    const claims = c as AccessClaims;
    verified.set(token, claims);
    if (verified.size > VERIFIED_CACHE_SIZE) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
    return claims;
  }

  /** RFC 7662: only the client the token was issued to learns anything about it. */
  async function introspect(app: ApplicationRow, token: string): Promise<IntrospectionResponse> {
    const inactive = { active: false };
    if (token.includes(".")) {
      const check = await checkAccessToken(token);
      if (!check.ok || check.user.appId !== app.id) return inactive;
      const c = check.claims;
      return {
        active: true,
        sub: check.user.userId,
        client_id: app.id,
        aud: app.id,
        exp: c.exp as number,
        iat: c.iat as number,
        iss: issuer,
        jti: check.user.accessTokenJti,
        sid: check.user.sessionId,
        scope: check.user.scope,
        token_type: "Bearer",
      };
    }
    // The token and its session in one read, as a refresh reads them.
    const row = await repos.sessions.findRefreshTokenWithSession(hash(token));
    const now = clock.now();
    if (!row || row.app_id !== app.id || row.rotated_at !== null || row.expires_at <= now) return inactive;
    if (row.session_ended_at !== null) return inactive;
    return {
      active: true,
      sub: row.session_user_id,
      client_id: app.id,
      aud: app.id,
      exp: sec(row.expires_at),
      iat: sec(row.created_at),
      iss: issuer,
      sid: row.session_id,
      scope: row.scope,
      token_type: "refresh_token",
    };
  }

  /** RFC 7009: revoking either token ends its session (and so every token of that login). */
  async function revoke(app: ApplicationRow, token: string): Promise<void> {
    if (token.includes(".")) {
      const check = verifyJwt(token, keys.publicKey);
      if (!check.ok || check.header.typ !== ACCESS_TYP || check.payload.aud !== app.id) return;
      if (typeof check.payload.sid !== "string") return;
      if (check.payload.iss !== issuer) return;
      await sessions.end(check.payload.sid, "revoked");
      return;
    }
    const row = await repos.sessions.findRefreshTokenByHash(hash(token));
    if (row && row.app_id === app.id) await sessions.end(row.session_id, "revoked");
  }

  /**
   * The session named by an ID token (signature checked, expiry ignored), for /oidc/session/end.
   * An HS256 token is checked with the secret of the application it names (`aud`); that secret is
   * the application's too, so its token must also name that application's own session and user.
   */
  async function idTokenSession(
    idToken: string,
  ): Promise<{ sid: string; aud: string; sub: string } | undefined> {
    const decoded = decodeJwt(idToken);
    const hs256 = decoded?.header.alg === "HS256";
    const named = decoded?.payload.aud;
    const app =
      hs256 && typeof named === "string" ? await repos.applications.findApplicationById(named) : undefined;
    const check = hs256 ? verifyHs256Jwt(idToken, app && appSecret(app)) : verifyJwt(idToken, keys.publicKey);
    if (!check.ok || check.header.typ !== "JWT" || check.payload.iss !== issuer) return undefined;
    const { sid, aud, sub } = check.payload;
    if (typeof sid !== "string" || typeof aud !== "string" || typeof sub !== "string") return undefined;
    if (hs256) {
      const session = await repos.sessions.findSessionById(sid);
      if (session?.app_id !== aud || session.user_id !== sub) return undefined;
    }
    return { sid, aud, sub };
  }

  /** ID-token claims that need a read: `roles` under the `roles` scope. Access tokens never carry them. */
  async function extraClaims(user: UserRow, scope: string): Promise<Record<string, unknown>> {
    if (!roleCodes || !scopeSet(scope).has("roles")) return {};
    return { roles: await roleCodes(user.pool_id, user.id) };
  }

  async function mint(
    app: ApplicationRow,
    user: UserRow,
    sid: string,
    scope: string,
    o: MintOptions = {},
  ): Promise<TokenSet> {
    const cfg = appConfig(app);
    const iat = sec(clock.now());
    const access_token = await signRs256(
      {
        iss: issuer,
        sub: user.id,
        aud: app.id,
        iat,
        exp: iat + cfg.accessTokenExpiresIn,
        scope,
        jti: newId(),
        sid,
      },
      keys.current(),
      ACCESS_TYP,
    );
    const set: TokenSet = { access_token, token_type: "Bearer", expires_in: cfg.accessTokenExpiresIn, scope };
    const id_token = await signIdToken(app, user, sid, scope, access_token, o);
    if (id_token) set.id_token = id_token;
    return set;
  }

  /** The ID token under the `openid` scope; `at_hash` when an access token comes with it. */
  async function signIdToken(
    app: ApplicationRow,
    user: UserRow,
    sid: string,
    scope: string,
    accessToken: string | undefined,
    o: MintOptions,
  ): Promise<string | undefined> {
    if (!scopeSet(scope).has("openid")) return undefined;
    const cfg = appConfig(app);
    const defaults = needsPoolDefaults(user, scope) ? await userDefaults(user.pool_id) : undefined;
    const iat = sec(clock.now());
    const claims = {
      iss: issuer,
      sub: user.id,
      aud: app.id,
      iat,
      exp: iat + cfg.idTokenExpiresIn,
      auth_time: o.authTime === undefined ? iat : sec(o.authTime),
      ...(o.nonce ? { nonce: o.nonce } : {}),
      ...(accessToken ? { at_hash: atHash(accessToken) } : {}),
      ...(o.cHash ? { c_hash: o.cHash } : {}),
      sid,
      ...authContextClaims(o.amr),
      ...userClaims(user, scope, defaults),
      ...o.extra,
    };
    return cfg.idTokenSignedResponseAlg === "HS256"
      ? signHs256Jwt(claims, appSecret(app), "JWT")
      : signRs256(claims, keys.current(), "JWT");
  }

  function newRefreshToken(app: ApplicationRow, sessionId: string, scope: string) {
    const token = randomBase64url(32);
    const now = clock.now();
    return {
      token,
      row: {
        id: newId(),
        session_id: sessionId,
        app_id: app.id,
        token_hash: hash(token),
        scope,
        created_at: now,
        expires_at: now + 1000 * appConfig(app).refreshTokenExpiresIn,
        rotated_at: null,
      },
    };
  }

  return {
    issuer,
    issueForLogin,
    issueIdTokenForLogin,
    refresh,
    checkAccessToken,
    introspect,
    revoke,
    idTokenSession,
  };
}

/** What callers hold: `ctx.tokens`. */
export type Tokens = ReturnType<typeof createTokens>;

/** A refresh may ask for less than was granted, never more (RFC 6749 §6). */
function narrowScope(granted: string, requested: string | undefined): string {
  if (!requested?.trim()) return granted;
  const have = scopeSet(granted);
  const want = [...scopeSet(requested)];
  if (!want.every((s) => have.has(s)))
    throw new OAuthError("invalid_scope", "scope exceeds the granted scope");
  return want.join(" ");
}
