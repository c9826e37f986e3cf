import type { Kysely } from "kysely";

/**
 * Application access control (docs/authorization.md §Application access): an application's default
 * strategy (`ALLOW_ALL` unless a row says `DENY_ALL`) and its ALLOW / DENY rules for users, roles
 * and groups. Both go with the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("authz_app_strategies")
    .addColumn("app_id", "text", (c) => c.primaryKey().references("applications.id").onDelete("cascade"))
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addColumn("permission_strategy", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("authz_app_access")
    .addColumn("app_id", "text", (c) => c.notNull().references("applications.id").onDelete("cascade"))
    .addColumn("pool_id", "text", (c) => c.notNull())
    // USER (user id), ROLE (role id) or GROUP (group id).
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("effect", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("authz_app_access_pk", ["app_id", "target_type", "target_id"])
    .execute();
  await db.schema
    .createIndex("authz_app_access_target")
    .on("authz_app_access")
    .columns(["pool_id", "target_type", "target_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("authz_app_access").execute();
  await db.schema.dropTable("authz_app_strategies").execute();
}
