import type { Kysely } from "kysely";

/**
 * Management API: extra access keys per pool, the signature nonce cache shared by
 * every node, user custom-field definitions and the pool's stored MFA settings.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("access_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    // HMAC-SHA1 verification needs the secret itself (docs/wire-contract.md §1.4.2), like user_pools.secret.
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("description", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("access_keys_pool")
    .on("access_keys")
    .columns(["pool_id", "created_at"])
    .execute();

  // One row per accepted signed request until its date leaves the ±15 min window.
  await db.schema
    .createTable("signature_nonces")
    .addColumn("access_key_id", "text", (c) => c.notNull())
    .addColumn("nonce", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("signature_nonces_pk", ["access_key_id", "nonce"])
    .execute();
  await db.schema
    .createIndex("signature_nonces_expiry")
    .on("signature_nonces")
    .columns(["expires_at"])
    .execute();

  await db.schema
    .createTable("custom_fields")
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("data_type", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("description", "text")
    /** The remaining CustomFieldDto attributes (flags, options, i18n) as JSON. */
    .addColumn("attributes", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("custom_fields_pk", ["pool_id", "target_type", "key"])
    .execute();

  // Stored now, enforced when MFA lands (get-/update-global-mfa-settings).
  await db.schema
    .createTable("pool_mfa_settings")
    .addColumn("pool_id", "text", (c) => c.primaryKey().references("user_pools.id").onDelete("cascade"))
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}
