import { type Kysely, sql } from "kysely";

/**
 * A new verification retires the user's unspent tokens of the same purpose
 * (`UPDATE flow_tokens … WHERE user_id = ? AND purpose = ? AND consumed_at IS NULL`). The index
 * on (user_id, purpose) held every token ever issued until the daily sweep, so each retire walked
 * all of a busy user's spent ones; this one holds only the live tokens — at most one per user and
 * purpose. Deleting a user still finds their tokens (the foreign key's cascade) by `user_id` alone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("flow_tokens_live_user_purpose")
    .on("flow_tokens")
    .columns(["user_id", "purpose"])
    .where(sql.ref("consumed_at"), "is", null)
    .execute();
  await db.schema.createIndex("flow_tokens_user").on("flow_tokens").column("user_id").execute();
  await db.schema.dropIndex("flow_tokens_user_purpose").execute();
}
