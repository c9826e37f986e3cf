import type { Kysely } from "kysely";

/**
 * Passkeys (docs/passkeys.md): the user's WebAuthn credentials, and the challenges of the
 * ceremonies in flight (single use, five minutes, only the ticket's HMAC stored).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("webauthn_credentials")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    // The authenticator's credential id, base64url.
    .addColumn("credential_id", "text", (c) => c.notNull())
    // The COSE public key, base64url.
    .addColumn("public_key", "text", (c) => c.notNull())
    // The signature counter last seen; 0 for authenticators that keep none (synced passkeys).
    .addColumn("counter", "bigint", (c) => c.notNull().defaultTo(0))
    // JSON array: usb, nfc, ble, internal, hybrid …
    .addColumn("transports", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("aaguid", "text", (c) => c.notNull())
    // singleDevice | multiDevice (may be synced), and whether it is backed up now.
    .addColumn("device_type", "text", (c) => c.notNull())
    .addColumn("backed_up", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("name", "text", (c) => c.notNull())
    // GenAuth's authenticatorCode of verifyRegister: fingerprint | face | other.
    .addColumn("authenticator_code", "text", (c) => c.notNull().defaultTo("other"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .execute();
  await db.schema
    .createIndex("webauthn_credentials_credential")
    .on("webauthn_credentials")
    .columns(["pool_id", "credential_id"])
    .unique()
    .execute();
  await db.schema
    .createIndex("webauthn_credentials_user")
    .on("webauthn_credentials")
    .columns(["user_id", "created_at"])
    .execute();

  await db.schema
    .createTable("webauthn_challenges")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    // HMAC-SHA256 of the ticket handed to the caller.
    .addColumn("ticket_hash", "text", (c) => c.notNull())
    // registration | authentication
    .addColumn("purpose", "text", (c) => c.notNull())
    // registration: the user the credential will belong to.
    .addColumn("user_id", "text")
    // What else the ceremony is bound to: `interaction:<uid>` on the hosted pages, else null.
    .addColumn("binding", "text")
    .addColumn("challenge", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("webauthn_challenges_ticket")
    .on("webauthn_challenges")
    .column("ticket_hash")
    .unique()
    .execute();
  await db.schema
    .createIndex("webauthn_challenges_expiry")
    .on("webauthn_challenges")
    .column("expires_at")
    .execute();
}
