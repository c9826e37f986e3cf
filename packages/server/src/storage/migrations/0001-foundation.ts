import { type Kysely, sql } from "kysely";

/** Pools, applications, users, identities and the server's own key-value store. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("gh_meta")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("user_pools")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("applications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("identifier", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("app_type", "text", (c) => c.notNull())
    .addColumn("token_endpoint_auth_method", "text", (c) => c.notNull())
    .addColumn("config", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("applications_pool_identifier")
    .on("applications")
    .columns(["pool_id", "identifier"])
    .unique()
    .execute();

  let users = db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("Activated"))
    .addColumn("username", "text")
    .addColumn("email", "text")
    .addColumn("email_verified", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("phone", "text")
    .addColumn("phone_verified", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("password_hash", "text")
    .addColumn("password_security_level", "integer")
    .addColumn("password_last_set_at", "bigint");
  for (const col of ["external_id", "name", "nickname", "photo"]) {
    users = users.addColumn(col, "text");
  }
  users = users.addColumn("gender", "text", (c) => c.notNull().defaultTo("U"));
  for (const col of [
    "birthdate",
    "country",
    "province",
    "city",
    "address",
    "street_address",
    "postal_code",
    "company",
    "browser",
    "device",
    "given_name",
    "family_name",
    "middle_name",
    "profile",
    "preferred_username",
    "website",
    "zoneinfo",
    "locale",
    "formatted",
    "region",
    "identity_number",
    "custom_data",
  ]) {
    users = users.addColumn(col, "text");
  }
  await users
    .addColumn("source_type", "text", (c) => c.notNull().defaultTo("register"))
    .addColumn("source_id", "text")
    .addColumn("register_source", "text")
    .addColumn("logins_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_login", "bigint")
    .addColumn("last_ip", "text")
    .addColumn("last_login_app", "text")
    .addColumn("reset_password_on_next_login", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("status_changed_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  // Per-pool uniqueness, enforced by the database: email and username case-insensitively,
  // phone in its stored E.164 form. Expression indexes work the same on SQLite and PostgreSQL.
  await sql`CREATE UNIQUE INDEX users_pool_email ON users (pool_id, lower(email))`.execute(db);
  await sql`CREATE UNIQUE INDEX users_pool_username ON users (pool_id, lower(username))`.execute(db);
  await db.schema
    .createIndex("users_pool_phone")
    .on("users")
    .columns(["pool_id", "phone"])
    .unique()
    .execute();
  await db.schema
    .createIndex("users_pool_external_id")
    .on("users")
    .columns(["pool_id", "external_id"])
    .unique()
    .execute();
  await db.schema.createIndex("users_pool_created").on("users").columns(["pool_id", "created_at"]).execute();

  await db.schema
    .createTable("identities")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("ext_idp_id", "text", (c) => c.notNull())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("user_id_in_idp", "text", (c) => c.notNull())
    .addColumn("user_info", "text")
    .addColumn("origin_conn_ids", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("identities_idp_user")
    .on("identities")
    .columns(["pool_id", "ext_idp_id", "user_id_in_idp", "type"])
    .unique()
    .execute();
  await db.schema.createIndex("identities_user").on("identities").columns(["user_id"]).execute();
}
