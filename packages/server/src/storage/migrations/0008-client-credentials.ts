import type { Kysely } from "kysely";

/**
 * Revoked client-credentials tokens (docs/oidc-tokens.md §Client credentials). Such a token names an
 * access key and no session, so revoking it is recording its `jti` until it would have expired
 * anyway; the rows are purged after that.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("revoked_client_tokens")
    .addColumn("jti", "text", (c) => c.primaryKey())
    .addColumn("access_key_id", "text", (c) => c.notNull())
    .addColumn("revoked_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("revoked_client_tokens_expiry")
    .on("revoked_client_tokens")
    .column("expires_at")
    .execute();
}
