import type { Kysely } from "kysely";

/**
 * A token session keeps how its user signed in (`amr`, the methods space-separated), so that an ID
 * token minted by a refresh says what the sign-in's said (docs/mfa.md §amr and acr).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sessions").addColumn("amr", "text").execute();
}
