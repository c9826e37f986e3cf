import type { Kysely } from "kysely";

/**
 * The user's second factors (docs/mfa.md): one row per factor type a user has proved. Pending
 * enrolments live in flow_tokens (purpose `mfa_enroll`) until a code proves them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("mfa_factors")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    // OTP | SMS | EMAIL
    .addColumn("factor_type", "text", (c) => c.notNull())
    // {phoneNumber, phoneCountryCode} or {email}; {} for OTP.
    .addColumn("profile", "text", (c) => c.notNull().defaultTo("{}"))
    // OTP: the base32 secret sealed with the server's secret box (purpose totp-secret, row id).
    .addColumn("secret_sealed", "text")
    // OTP: HMAC-SHA256 of the one recovery code; replaced each time it is used.
    .addColumn("recovery_hash", "text")
    // OTP: the last accepted time step; a step at or before it is refused (no replay).
    .addColumn("last_step", "bigint", (c) => c.notNull().defaultTo(0))
    // When a code of this factor was last accepted (a fresh proof for reset-factor).
    .addColumn("last_verified_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("mfa_factors_user_type")
    .on("mfa_factors")
    .columns(["user_id", "factor_type"])
    .unique()
    .execute();
}
