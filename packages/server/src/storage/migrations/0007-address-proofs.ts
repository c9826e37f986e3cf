import type { Kysely } from "kysely";

/**
 * When a code first proved the user's current email and phone (docs/behaviour-and-errors.md §4.6).
 * The `…_verified` flags also say yes for addresses an administrator vouched for; these say a code
 * did — so a code sign-in that reclaims an account can tell an address the squatter proved with
 * their own code from one an administrator vouched for.
 *
 * Existing rows keep NULL (no proof is on record for them), so a reclaim leaves their addresses bound.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").addColumn("email_proved_at", "bigint").execute();
  await db.schema.alterTable("users").addColumn("phone_proved_at", "bigint").execute();
}
