import type { Kysely } from "kysely";

/**
 * One-time flow tokens (updatePhoneToken, updateEmailToken, passwordResetToken,
 * deleteAccountToken) and the audit log of self-service changes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("flow_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("purpose", "text", (c) => c.notNull())
    // HMAC-SHA256 of the token keyed with the server secret; the token itself is never stored.
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    // The exact values the token was issued for (e.g. old and new phone), re-checked at commit.
    .addColumn("payload", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("flow_tokens_user_purpose")
    .on("flow_tokens")
    .columns(["user_id", "purpose"])
    .execute();
  await db.schema.createIndex("flow_tokens_expires").on("flow_tokens").columns(["expires_at"]).execute();

  // No foreign key to users: the record outlives the account (delete-account keeps one).
  await db.schema
    .createTable("audit_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("user_id", "text")
    .addColumn("actor_type", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text")
    .addColumn("old_value", "text")
    .addColumn("new_value", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("app_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_events_pool_user")
    .on("audit_events")
    .columns(["pool_id", "user_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("audit_events_pool_created")
    .on("audit_events")
    .columns(["pool_id", "created_at"])
    .execute();
}
