import type { Kysely } from "kysely";

/**
 * The MFA step of sign-in (docs/mfa.md §The API's MFA step): the MFA tokens already spent (a token
 * completes one sign-in), and the per-user MFA trigger data an administrator set (`set-mfa-status`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("mfa_spent_tokens")
    .addColumn("jti", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    // The token's own expiry: after it the row is of no use and is swept.
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("mfa_spent_tokens_expires")
    .on("mfa_spent_tokens")
    .column("expires_at")
    .execute();

  await db.schema
    .createTable("mfa_user_status")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    // GetMfaInfoDataDto as the administrator set it (JSON, without the mfaToken).
    .addColumn("trigger_data", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}
