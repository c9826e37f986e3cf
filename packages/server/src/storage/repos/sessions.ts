import type { Selectable } from "kysely";
import type { RefreshTokenTable, SessionTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";

export type SessionRow = Selectable<SessionTable>;
export type RefreshTokenRow = Selectable<RefreshTokenTable>;

const sessionState = compiled("sessions.state", (db, id: string) =>
  db.selectFrom("sessions").select(["user_id", "pool_id", "expires_at", "ended_at"]).where("id", "=", id),
);

const insertSessionRow = compiled("sessions.insert", (db, row: SessionRow) =>
  db.insertInto("sessions").values(row),
);
const insertRefreshRow = compiled("refreshTokens.insert", (db, row: RefreshTokenRow) =>
  db.insertInto("refresh_tokens").values(row),
);
const extendRow = compiled("sessions.extend", (db, expiresAt: number, id: string, later: number) =>
  db
    .updateTable("sessions")
    .set({ expires_at: expiresAt })
    .where("id", "=", id)
    .where("expires_at", "<", later),
);
const rotateRow = compiled("refreshTokens.rotate", (db, now: number, id: string) =>
  db
    .updateTable("refresh_tokens")
    .set({ rotated_at: now })
    .where("id", "=", id)
    .where("rotated_at", "is", null),
);
/**
 * A refresh token with its session's state and owner, for the refresh grant (one read), and when
 * the user signed in: the browser session's `auth_time` for a session opened through the OpenID
 * Provider, else the session's own start (a sign-in through /api/v3 opens it).
 */
const refreshWithSession = compiled("refreshTokens.withSession", (db, tokenHash: string) =>
  db
    .selectFrom("refresh_tokens")
    .innerJoin("sessions", "sessions.id", "refresh_tokens.session_id")
    .leftJoin("oidc_browser_sessions", "oidc_browser_sessions.session_id", "sessions.parent_session_id")
    .selectAll("refresh_tokens")
    .select([
      "sessions.pool_id as session_pool_id",
      "sessions.user_id as session_user_id",
      "sessions.ended_at as session_ended_at",
      "sessions.created_at as session_created_at",
      "sessions.amr as session_amr",
      "oidc_browser_sessions.auth_time as browser_auth_time",
    ])
    .where("refresh_tokens.token_hash", "=", tokenHash),
);
const refreshByHash = compiled("refreshTokens.byHash", (db, tokenHash: string) =>
  db.selectFrom("refresh_tokens").selectAll().where("token_hash", "=", tokenHash),
);
const sessionById = compiled("sessions.byId", (db, id: string) =>
  db.selectFrom("sessions").selectAll().where("id", "=", id),
);

/** Sessions (one per login) and their refresh tokens. */
export function sessionsRepo(db: Executor) {
  return {
    async insertSession(row: SessionRow): Promise<void> {
      await insertSessionRow(db, row);
    },
    insertSessionStep: (row: SessionRow): Step => ({
      query: insertSessionRow.compile(db, row),
      expectRows: 1,
    }),
    /** extendSession as a step of an all-or-nothing batch (it may touch no row: already later). */
    extendSessionStep: (id: string, expiresAt: number): Step => ({
      query: extendRow.compile(db, expiresAt, id, expiresAt),
    }),
    findSessionById: async (id: string): Promise<SessionRow | undefined> =>
      firstRow(await sessionById(db, id)),
    /** The hot-path read: is the session still open, and until when. */
    findSessionState: async (id: string) => firstRow(await sessionState(db, id)),
    async extendSession(id: string, expiresAt: number): Promise<void> {
      await db
        .updateTable("sessions")
        .set({ expires_at: expiresAt })
        .where("id", "=", id)
        .where("expires_at", "<", expiresAt)
        .execute();
    },
    /** Ends one open session; returns whether it was open. */
    async endSession(id: string, now: number, reason: string): Promise<boolean> {
      const r = await db
        .updateTable("sessions")
        .set({ ended_at: now, end_reason: reason })
        .where("id", "=", id)
        .where("ended_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Ends a user's open sessions (optionally all but one, or only some apps'); returns their ids. */
    async endUserSessions(
      poolId: string,
      userId: string,
      now: number,
      reason: string,
      options: { exceptSessionId?: string; appIds?: string[] } = {},
    ): Promise<string[]> {
      let q = db
        .updateTable("sessions")
        .set({ ended_at: now, end_reason: reason })
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("ended_at", "is", null);
      if (options.exceptSessionId) q = q.where("id", "!=", options.exceptSessionId);
      if (options.appIds) {
        if (options.appIds.length === 0) return [];
        q = q.where("app_id", "in", options.appIds);
      }
      const rows = await q.returning("id").execute();
      return rows.map((r) => r.id);
    },
    /** A user's open, unexpired sessions (the account page's "sessions and devices"). */
    async listOpenUserSessions(poolId: string, userId: string, now: number): Promise<SessionRow[]> {
      return db
        .selectFrom("sessions")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("ended_at", "is", null)
        .where("expires_at", ">", now)
        .orderBy("created_at", "desc")
        .limit(500)
        .execute();
    },
    /** The user's latest sessions, newest first (my devices, services/devices). */
    async listRecentUserSessions(poolId: string, userId: string, limit: number): Promise<SessionRow[]> {
      return db
        .selectFrom("sessions")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
    },
    /** Rewrites the end reason of an ended session (a device unbound after it signed out). */
    async markSessionEndReason(id: string, reason: string): Promise<void> {
      await db
        .updateTable("sessions")
        .set({ end_reason: reason })
        .where("id", "=", id)
        .where("ended_at", "is not", null)
        .execute();
    },
    /** Ends these open sessions of the user and every session opened in them; returns the ids ended. */
    async endUserSessionTrees(
      poolId: string,
      userId: string,
      sessionIds: string[],
      now: number,
      reason: string,
    ): Promise<string[]> {
      if (sessionIds.length === 0) return [];
      const rows = await db
        .updateTable("sessions")
        .set({ ended_at: now, end_reason: reason })
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("ended_at", "is", null)
        .where((eb) => eb.or([eb("id", "in", sessionIds), eb("parent_session_id", "in", sessionIds)]))
        .returning("id")
        .execute();
      return rows.map((r) => r.id);
    },
    /** Apps the user signed in to, with whether any of their sessions is still open. */
    async listUserSessionApps(
      poolId: string,
      userId: string,
      now: number,
    ): Promise<{ app_id: string; active: boolean; last_login: number }[]> {
      const rows = await db
        .selectFrom("sessions")
        .select(["app_id", "expires_at", "ended_at", "created_at"])
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .execute();
      const byApp = new Map<string, { app_id: string; active: boolean; last_login: number }>();
      for (const r of rows) {
        const active = r.ended_at === null && r.expires_at > now;
        const cur = byApp.get(r.app_id);
        if (!cur) byApp.set(r.app_id, { app_id: r.app_id, active, last_login: r.created_at });
        else {
          cur.active ||= active;
          cur.last_login = Math.max(cur.last_login, r.created_at);
        }
      }
      return [...byApp.values()].sort((a, b) => b.last_login - a.last_login);
    },

    async insertRefreshToken(row: RefreshTokenRow): Promise<void> {
      await insertRefreshRow(db, row);
    },
    insertRefreshTokenStep: (row: RefreshTokenRow): Step => ({
      query: insertRefreshRow.compile(db, row),
      expectRows: 1,
    }),
    /** rotateRefreshToken as a step: fails (and undoes its batch) when the token was used already. */
    rotateRefreshTokenStep: (id: string, now: number): Step => ({
      query: rotateRow.compile(db, now, id),
      expectRows: 1,
    }),
    /** The refresh token and its session's pool, user and end, in one read (undefined: unknown token). */
    findRefreshTokenWithSession: async (tokenHash: string) =>
      firstRow(await refreshWithSession(db, tokenHash)),
    findRefreshTokenByHash: async (tokenHash: string): Promise<RefreshTokenRow | undefined> =>
      firstRow(await refreshByHash(db, tokenHash)),
    /** Drops refresh tokens past their expiry (used or not: neither can be redeemed any more). */
    async purgeExpiredRefreshTokens(now: number): Promise<number> {
      const r = await db.deleteFrom("refresh_tokens").where("expires_at", "<=", now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    /** Marks a refresh token used; false when it already was (a concurrent or repeated use). */
    async rotateRefreshToken(id: string, now: number): Promise<boolean> {
      const r = await db
        .updateTable("refresh_tokens")
        .set({ rotated_at: now })
        .where("id", "=", id)
        .where("rotated_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
