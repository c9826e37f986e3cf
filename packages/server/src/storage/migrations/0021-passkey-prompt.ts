import type { Kysely } from "kysely";

/**
 * The "add a passkey" prompt after a password sign-in (docs/passkeys.md §The prompt): per user,
 * until when "Not now" hides it, and whether "Don't ask again" was chosen.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("passkey_prompts")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    // epoch ms; null: not snoozed
    .addColumn("snoozed_until", "bigint")
    .addColumn("never", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}
