import type { Kysely } from "kysely";

/**
 * The hosted sign-in's second factor (docs/mfa.md §The hosted sign-in step): a login interaction
 * remembers the first factor it passed (`mfa_step`, JSON; the enrolment in progress sealed inside),
 * and the browser session and the codes it issues carry how the user got in (`amr`, the methods
 * space-separated), for the ID token's `amr` and `acr`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("oidc_interactions").addColumn("mfa_step", "text").execute();
  await db.schema.alterTable("oidc_browser_sessions").addColumn("amr", "text").execute();
  await db.schema.alterTable("oidc_authorization_codes").addColumn("amr", "text").execute();
}
