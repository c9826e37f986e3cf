import type { Kysely } from "kysely";

/**
 * The OpenID Provider (docs/oidc-provider.md): browser sessions, interactions, authorization
 * codes, logout requests and remembered consents.
 *
 * A browser session is a row of `sessions` (so ending it is seen on every node like any other
 * session) plus its cookie's hash here; the sessions a code exchange opens name it as their
 * parent, so logging the browser out ends the tokens issued in it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sessions").addColumn("parent_session_id", "text").execute();
  await db.schema.createIndex("sessions_parent").on("sessions").columns(["parent_session_id"]).execute();

  await db.schema
    .createTable("oidc_browser_sessions")
    // HMAC-SHA256(server secret, cookie value), hex: the cookie itself is never stored.
    .addColumn("cookie_hash", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull().references("sessions.id").onDelete("cascade"))
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("auth_time", "bigint", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("oidc_browser_sessions_session")
    .on("oidc_browser_sessions")
    .columns(["session_id"])
    .execute();

  await db.schema
    .createTable("oidc_interactions")
    .addColumn("uid", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    // The validated authorization request, JSON.
    .addColumn("request", "text", (c) => c.notNull())
    // consent: the signed-in user; login: set by finishLogin.
    .addColumn("user_id", "text")
    // The browser session that finished the login, or that the consent is asked in.
    .addColumn("session_id", "text")
    // What the pages answered: login | consent | denied (null while waiting).
    .addColumn("outcome", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .execute();

  await db.schema
    .createTable("oidc_authorization_codes")
    // HMAC-SHA256(server secret, code), hex.
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    // The browser session the code was issued in.
    .addColumn("browser_session_id", "text", (c) => c.notNull())
    .addColumn("redirect_uri", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("nonce", "text")
    .addColumn("code_challenge", "text")
    .addColumn("code_challenge_method", "text")
    .addColumn("auth_time", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    // The session the exchange opened: a second use of the code ends it.
    .addColumn("token_session_id", "text")
    .execute();
  await db.schema
    .createIndex("oidc_authorization_codes_expiry")
    .on("oidc_authorization_codes")
    .columns(["expires_at"])
    .execute();

  await db.schema
    .createTable("oidc_logout_requests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("app_id", "text")
    .addColumn("post_logout_redirect_uri", "text")
    .addColumn("state", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .execute();

  await db.schema
    .createTable("oidc_consents")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.notNull())
    // Space-separated scopes the user granted this client.
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("oidc_consents_pk", ["user_id", "app_id"])
    .execute();
}
