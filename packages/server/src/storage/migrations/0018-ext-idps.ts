import type { Kysely } from "kysely";

/**
 * External identity providers, their connections, the applications each connection is enabled
 * for, and the state of each upstream round trip (docs/social-sign-in.md). The identities table
 * (0001) links a user to an upstream account.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("ext_idps")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("tenant_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("ext_idps_pool").on("ext_idps").columns(["pool_id", "created_at"]).execute();

  await db.schema
    .createTable("ext_idp_conns")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("ext_idp_id", "text", (c) => c.notNull().references("ext_idps.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("identifier", "text", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("logo", "text", (c) => c.notNull())
    .addColumn("login_only", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("association", "integer", (c) => c.notNull().defaultTo(0))
    // JSON of the connection's settings without its client secret.
    .addColumn("fields", "text", (c) => c.notNull())
    // Sealed with the server's secret box (docs/security.md); never returned.
    .addColumn("client_secret", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("ext_idp_conns_identifier")
    .on("ext_idp_conns")
    .columns(["pool_id", "identifier"])
    .unique()
    .execute();
  await db.schema.createIndex("ext_idp_conns_idp").on("ext_idp_conns").columns(["ext_idp_id"]).execute();

  await db.schema
    .createTable("ext_idp_conn_apps")
    .addColumn("conn_id", "text", (c) => c.notNull().references("ext_idp_conns.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.notNull().references("applications.id").onDelete("cascade"))
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("ext_idp_conn_apps_pk", ["conn_id", "app_id"])
    .execute();
  await db.schema.createIndex("ext_idp_conn_apps_app").on("ext_idp_conn_apps").columns(["app_id"]).execute();

  // One upstream round trip: looked up by the hash of its `state`, single use, ten minutes.
  await db.schema
    .createTable("ext_idp_states")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("conn_id", "text", (c) => c.notNull().references("ext_idp_conns.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("interaction_uid", "text")
    .addColumn("user_id", "text")
    .addColumn("nonce", "text", (c) => c.notNull())
    .addColumn("code_verifier", "text", (c) => c.notNull())
    .addColumn("browser_hash", "text")
    .addColumn("target_url", "text")
    // The upstream identity that waits for its account's owner to sign in (JSON), then is linked.
    .addColumn("pending", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .execute();
  await db.schema
    .createIndex("ext_idp_states_interaction")
    .on("ext_idp_states")
    .columns(["interaction_uid"])
    .execute();
  await db.schema
    .createIndex("ext_idp_states_expires")
    .on("ext_idp_states")
    .columns(["expires_at"])
    .execute();
}
