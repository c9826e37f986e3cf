import type { Kysely } from "kysely";

/** Verification codes (one live row per binding) and the rate buckets behind cooldowns and caps. */
export async function up(db: Kysely<any>): Promise<void> {
  // One row per (pool, kind, channel, target): a newer code overwrites the older one in place
  // (new id, new hash, attempts reset), so storage stays bounded and replacement is atomic.
  await db.schema
    .createTable("verification_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("verification_codes_binding")
    .on("verification_codes")
    .columns(["pool_id", "kind", "target", "channel"])
    .unique()
    .execute();
  await db.schema
    .createIndex("verification_codes_expires")
    .on("verification_codes")
    .columns(["expires_at"])
    .execute();

  // Fixed windows that start at the first hit (like Redis INCR + PEXPIRE): cooldowns are buckets
  // of size 1, hourly caps buckets of size N.
  await db.schema
    .createTable("rate_buckets")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("hits", "integer", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("rate_buckets_expires").on("rate_buckets").columns(["expires_at"]).execute();
}
