import type { Selectable } from "kysely";
import type {
  OidcAuthorizationCodeTable,
  OidcBrowserSessionTable,
  OidcInteractionTable,
  OidcLogoutRequestTable,
} from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { affectedRows, compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";

export type BrowserSessionRow = Selectable<OidcBrowserSessionTable>;
export type InteractionRow = Selectable<OidcInteractionTable>;
export type AuthorizationCodeRow = Selectable<OidcAuthorizationCodeTable>;
export type LogoutRequestRow = Selectable<OidcLogoutRequestTable>;

const browserSessionByHash = compiled("oidcBrowserSessions.byHash", (db, cookieHash: string) =>
  db
    .selectFrom("oidc_browser_sessions")
    .select(["session_id", "pool_id", "user_id", "auth_time", "method", "amr"])
    .where("cookie_hash", "=", cookieHash),
);
const codeByHash = compiled("oidcCodes.byHash", (db, codeHash: string) =>
  db.selectFrom("oidc_authorization_codes").selectAll().where("code_hash", "=", codeHash),
);
const insertCodeRow = compiled("oidcCodes.insert", (db, row: AuthorizationCodeRow) =>
  db.insertInto("oidc_authorization_codes").values(row),
);
/** Spends a code (parameters in SQL order: the SET values, then the hash). */
const spendCode = compiled("oidcCodes.spend", (db, now: number, tokenSessionId: string, codeHash: string) =>
  db
    .updateTable("oidc_authorization_codes")
    .set({ consumed_at: now, token_session_id: tokenSessionId })
    .where("code_hash", "=", codeHash)
    .where("consumed_at", "is", null),
);
const interactionByUid = compiled("oidcInteractions.byUid", (db, uid: string) =>
  db.selectFrom("oidc_interactions").selectAll().where("uid", "=", uid),
);

/** The OpenID Provider's rows (docs/oidc-provider.md): browser sessions, interactions, codes, logout requests, consents. */
export function oidcRepo(db: Executor) {
  return {
    async insertBrowserSession(row: BrowserSessionRow): Promise<void> {
      await db.insertInto("oidc_browser_sessions").values(row).execute();
    },
    findBrowserSession: async (cookieHash: string) => firstRow(await browserSessionByHash(db, cookieHash)),
    /** The user proved themselves again in this browser: its `auth_time` moves to now. The cookie hashes of the rows moved. */
    async updateBrowserSessionAuthTime(sessionId: string, userId: string, now: number): Promise<string[]> {
      const rows = await db
        .updateTable("oidc_browser_sessions")
        .set({ auth_time: now })
        .where("session_id", "=", sessionId)
        .where("user_id", "=", userId)
        .returning("cookie_hash")
        .execute();
      return rows.map((r) => r.cookie_hash);
    },

    /** A step-up proved a second factor in this browser: its `amr`. The cookie hashes of the rows moved. */
    async updateBrowserSessionAmr(sessionId: string, userId: string, amr: string): Promise<string[]> {
      const rows = await db
        .updateTable("oidc_browser_sessions")
        .set({ amr })
        .where("session_id", "=", sessionId)
        .where("user_id", "=", userId)
        .returning("cookie_hash")
        .execute();
      return rows.map((r) => r.cookie_hash);
    },

    async insertInteraction(row: InteractionRow): Promise<void> {
      await db.insertInto("oidc_interactions").values(row).execute();
    },
    findInteraction: async (uid: string): Promise<InteractionRow | undefined> =>
      firstRow(await interactionByUid(db, uid)),
    /**
     * Records what the pages answered, once: `login` names the user and browser session, `consent`
     * and `denied` end a consent, `denied` also a cancelled login. False when the interaction is
     * spent, expired or already answered.
     */
    async answerInteraction(
      uid: string,
      answer: { outcome: "login" | "consent" | "denied"; userId?: string; sessionId?: string },
      now: number,
    ): Promise<boolean> {
      const r = await db
        .updateTable("oidc_interactions")
        .set({
          outcome: answer.outcome,
          ...(answer.userId ? { user_id: answer.userId } : {}),
          ...(answer.sessionId ? { session_id: answer.sessionId } : {}),
        })
        .where("uid", "=", uid)
        .where("outcome", "is", null)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /**
     * Records (or replaces) the second-factor step of a pending login interaction; false when it is
     * answered, spent or expired.
     */
    async setInteractionMfaStep(uid: string, step: string | null, now: number): Promise<boolean> {
      const r = await db
        .updateTable("oidc_interactions")
        .set({ mfa_step: step })
        .where("uid", "=", uid)
        .where("kind", "=", "login")
        .where("outcome", "is", null)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Spends an interaction; false when it was spent already (single use). */
    async consumeInteraction(uid: string, now: number): Promise<boolean> {
      const r = await db
        .updateTable("oidc_interactions")
        .set({ consumed_at: now })
        .where("uid", "=", uid)
        .where("consumed_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async insertCode(row: AuthorizationCodeRow): Promise<void> {
      await insertCodeRow(db, row);
    },
    findCode: async (codeHash: string): Promise<AuthorizationCodeRow | undefined> =>
      firstRow(await codeByHash(db, codeHash)),
    /** Spends a code and names the session its exchange opened; false when it was spent already. */
    async consumeCode(codeHash: string, tokenSessionId: string, now: number): Promise<boolean> {
      return affectedRows(await spendCode(db, now, tokenSessionId, codeHash)) === 1;
    },
    /** consumeCode as a step of the login's all-or-nothing batch: nothing is kept if the code was spent. */
    consumeCodeStep: (codeHash: string, tokenSessionId: string, now: number): Step => ({
      query: spendCode.compile(db, now, tokenSessionId, codeHash),
      expectRows: 1,
    }),

    async insertLogoutRequest(row: LogoutRequestRow): Promise<void> {
      await db.insertInto("oidc_logout_requests").values(row).execute();
    },
    findLogoutRequest: (id: string): Promise<LogoutRequestRow | undefined> =>
      db.selectFrom("oidc_logout_requests").selectAll().where("id", "=", id).executeTakeFirst(),
    async consumeLogoutRequest(id: string, now: number): Promise<boolean> {
      const r = await db
        .updateTable("oidc_logout_requests")
        .set({ consumed_at: now })
        .where("id", "=", id)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    findConsent: async (userId: string, appId: string): Promise<string | undefined> =>
      (
        await db
          .selectFrom("oidc_consents")
          .select("scope")
          .where("user_id", "=", userId)
          .where("app_id", "=", appId)
          .executeTakeFirst()
      )?.scope,
    async saveConsent(userId: string, appId: string, scope: string, now: number): Promise<void> {
      await db
        .insertInto("oidc_consents")
        .values({ user_id: userId, app_id: appId, scope, updated_at: now })
        .onConflict((oc) => oc.columns(["user_id", "app_id"]).doUpdateSet({ scope, updated_at: now }))
        .execute();
    },

    /** Open sessions opened in a browser session (its code exchanges), for logout. */
    async endChildSessions(parentSessionId: string, now: number, reason: string): Promise<string[]> {
      const rows = await db
        .updateTable("sessions")
        .set({ ended_at: now, end_reason: reason })
        .where("parent_session_id", "=", parentSessionId)
        .where("ended_at", "is", null)
        .returning("id")
        .execute();
      return rows.map((r) => r.id);
    },

    /** Drops rows past their life (kept a day longer so a late reuse of a code is still seen). */
    async purgeExpired(before: number): Promise<void> {
      await db.deleteFrom("oidc_interactions").where("expires_at", "<", before).execute();
      await db.deleteFrom("oidc_authorization_codes").where("expires_at", "<", before).execute();
      await db.deleteFrom("oidc_logout_requests").where("expires_at", "<", before).execute();
    },
  };
}
