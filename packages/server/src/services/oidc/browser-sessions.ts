import { createHmac } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import { randomBase64url } from "../../lib/ids.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import { RowCache } from "../../storage/repos/row-cache.js";
import type { Database } from "../../storage/schema.js";
import { amrFromText, amrText, firstFactorAmr } from "../tokens/auth-context.js";
import type { Sessions } from "../tokens/sessions.js";

export const SESSION_COOKIE = "gatehouse_session";

/** How the browser signed in on the hosted pages. */
/** How the browser signed in; `ext-idp:<connection identifier>` through an identity provider. */
export type SignInMethod = "password" | "sms" | "email" | "passkey" | `ext-idp:${string}`;

/** A signed-in browser (docs/oidc-provider.md §Browser session). */
export interface BrowserSession {
  sessionId: string;
  userId: string;
  poolId: string;
  /** epoch ms of the sign-in (`auth_time`). */
  authTime: number;
  method: SignInMethod;
  /** How the user got in (`pwd`, `otp`, …, `mfa`), for the ID token. */
  amr: string[];
}

/** The attributes of the session cookie; structurally `@fastify/cookie`'s CookieSerializeOptions. */
export interface CookieOptions {
  httpOnly: true;
  sameSite: "lax" | "none";
  secure: boolean;
  path: "/";
  /** seconds; 0 clears the cookie. */
  maxAge: number;
}

export interface BrowserSessionsDeps {
  db: Kysely<Database>;
  repos: Repositories;
  sessions: Sessions;
  clock: Clock;
  /** Keys the cookie hash. */
  secret: string;
  /** The public URL is https: the cookie is `Secure`. */
  secure: boolean;
  /**
   * `SameSite=None` (with `Secure`): the cookie is sent in an application's hidden iframe on
   * another site, for silent renewal (GATEHOUSE_BROWSER_SESSION_CROSS_SITE, docs/oidc-provider.md).
   */
  crossSite?: boolean;
  /** seconds */
  ttl: number;
}

/** Longer is no cookie of ours (43 characters): refused before any lookup. */
const MAX_COOKIE_LENGTH = 64;
type RememberedRow = NonNullable<Awaited<ReturnType<Repositories["oidc"]["findBrowserSession"]>>>;
/**
 * The browser session behind single sign-on: an opaque 256-bit cookie, stored hashed, tied to a
 * row of `sessions` so that ending it on one node is seen on every node like an access token's
 * session (docs/reliability.md). Wired as `ctx.oidc.browserSessions`.
 */
export function createBrowserSessions({
  db,
  repos,
  sessions,
  clock,
  secret,
  secure,
  crossSite = false,
  ttl,
}: BrowserSessionsDeps) {
  const hash = (value: string) =>
    createHmac("sha256", secret).update(`browser_session:${value}`).digest("hex");
  /**
   * Cookie hash → its row, kept like the application and pool rows (storage/repos/row-cache.ts):
   * dropped at once on this node when the row is written (a re-authentication moves its
   * `auth_time`), and read again from the database after ROW_CACHE_TTL_MS, so another node serves
   * an older `auth_time` for under a second — only ever stricter (max_age and the account page's
   * re-authentication ask again), never more lenient. Whether the row still signs the browser in
   * is decided by its session's state, checked on every read (sessions.isActive: ended, expired,
   * or deleted with its user). docs/performance.md, "The code flow".
   */
  const remembered = new RowCache<RememberedRow>();
  const findRow = (cookieHash: string) =>
    remembered.get(cookieHash, () => repos.oidc.findBrowserSession(cookieHash));
  const cookieOptions = (maxAge: number): CookieOptions => ({
    httpOnly: true,
    sameSite: crossSite ? "none" : "lax",
    secure: secure || crossSite,
    path: "/",
    maxAge,
  });

  return {
    cookieName: SESSION_COOKIE,
    cookieOptions: () => cookieOptions(ttl),
    /** The options that make the browser drop the cookie. */
    clearCookieOptions: () => cookieOptions(0),

    /** Signs a browser in: a new session row and the cookie value that names it. */
    async start(input: {
      poolId: string;
      userId: string;
      appId: string;
      method: SignInMethod;
      /** Default: the first factor alone. */
      amr?: string[];
      ip: string | null;
      userAgent: string | null;
    }): Promise<{ value: string; session: BrowserSession }> {
      const amr = input.amr ?? [firstFactorAmr(input.method)];
      const now = clock.now();
      const value = randomBase64url(32);
      const row = sessions.newRow({
        poolId: input.poolId,
        userId: input.userId,
        appId: input.appId,
        scope: "openid",
        ip: input.ip,
        userAgent: input.userAgent,
        expiresAt: now + ttl * 1000,
      });
      await db.transaction().execute(async (trx) => {
        const tx = repositories(trx);
        await tx.sessions.insertSession(row);
        await tx.oidc.insertBrowserSession({
          cookie_hash: hash(value),
          session_id: row.id,
          pool_id: input.poolId,
          user_id: input.userId,
          auth_time: now,
          method: input.method,
          amr: amrText(amr),
        });
      });
      return {
        value,
        session: {
          sessionId: row.id,
          userId: input.userId,
          poolId: input.poolId,
          authTime: now,
          method: input.method,
          amr,
        },
      };
    },

    /** The signed-in browser a cookie names, while its session is open and unexpired. */
    async read(cookieValue: string | undefined): Promise<BrowserSession | undefined> {
      if (!cookieValue || cookieValue.length > MAX_COOKIE_LENGTH) return undefined;
      const row = await findRow(hash(cookieValue));
      if (!row) return undefined;
      if (!(await sessions.isActive(row.session_id, row.user_id))) return undefined;
      return {
        sessionId: row.session_id,
        userId: row.user_id,
        poolId: row.pool_id,
        authTime: Number(row.auth_time),
        method: row.method as SignInMethod,
        amr: amrFromText(row.amr) ?? [firstFactorAmr(row.method)],
      };
    },

    /**
     * The user proved themselves again in this browser (the account page's re-authentication):
     * its `auth_time` is now, as after a sign-in.
     */
    async reauthenticated(session: BrowserSession): Promise<void> {
      const moved = await repos.oidc.updateBrowserSessionAuthTime(
        session.sessionId,
        session.userId,
        clock.now(),
      );
      for (const cookieHash of moved) remembered.drop(cookieHash);
    },

    /**
     * A step-up proved a second factor in this browser (docs/mfa.md §Step-up): the session's `amr`
     * is now `amr`, for the codes it issues from now on.
     */
    async raise(sessionId: string, userId: string, amr: readonly string[]): Promise<void> {
      const moved = await repos.oidc.updateBrowserSessionAmr(sessionId, userId, amrText(amr));
      for (const cookieHash of moved) remembered.drop(cookieHash);
    },

    /** Ends a browser session and every session its code exchanges opened (their tokens stop at once). */
    async end(sessionId: string, reason: string): Promise<void> {
      const children = await repos.oidc.endChildSessions(sessionId, clock.now(), reason);
      await sessions.end(sessionId, reason);
      sessions.endedElsewhere(children);
    },
  };
}

export type BrowserSessions = ReturnType<typeof createBrowserSessions>;
