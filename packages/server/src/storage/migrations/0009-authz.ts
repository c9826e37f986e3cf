import type { Kysely } from "kysely";

/**
 * Authorization (docs/authorization.md): permission namespaces, roles and their assignments to users
 * and groups, groups and their members, common resources and their grants, data resources and data
 * policies with their targets. Every row belongs to one pool; a namespace's children go with it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("authz_namespaces")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("authz_namespaces_code", ["pool_id", "code"])
    .execute();

  await db.schema
    .createTable("authz_roles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addColumn("namespace_id", "text", (c) =>
      c.notNull().references("authz_namespaces.id").onDelete("cascade"),
    )
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("ENABLE"))
    // When the role itself stops granting (epoch ms); null: never.
    .addColumn("disable_time", "bigint")
    .addColumn("enable_permission_apply", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("authz_roles_code", ["namespace_id", "code"])
    .execute();

  await db.schema
    .createTable("authz_groups")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("type", "text", (c) => c.notNull().defaultTo("static"))
    .addColumn("custom_data", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("authz_groups_code", ["pool_id", "code"])
    .execute();

  await db.schema
    .createTable("authz_group_members")
    .addColumn("group_id", "text", (c) => c.notNull().references("authz_groups.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("authz_group_members_pk", ["group_id", "user_id"])
    .execute();
  await db.schema
    .createIndex("authz_group_members_user")
    .on("authz_group_members")
    .column("user_id")
    .execute();

  // A role held by a user or a group, optionally only between enable_time and end_time (epoch ms).
  await db.schema
    .createTable("authz_role_assignments")
    .addColumn("role_id", "text", (c) => c.notNull().references("authz_roles.id").onDelete("cascade"))
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("enable_time", "bigint")
    .addColumn("end_time", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("authz_role_assignments_pk", ["role_id", "target_type", "target_id"])
    .execute();
  await db.schema
    .createIndex("authz_role_assignments_target")
    .on("authz_role_assignments")
    .columns(["target_type", "target_id"])
    .execute();

  await db.schema
    .createTable("authz_resources")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addColumn("namespace_id", "text", (c) =>
      c.notNull().references("authz_namespaces.id").onDelete("cascade"),
    )
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("description", "text")
    .addColumn("api_identifier", "text")
    .addColumn("actions", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("authz_resources_code", ["namespace_id", "code"])
    .execute();

  // What a user, role or group may (ALLOW) or may not (DENY) do on a resource path of a namespace.
  await db.schema
    .createTable("authz_grants")
    .addColumn("namespace_id", "text", (c) =>
      c.notNull().references("authz_namespaces.id").onDelete("cascade"),
    )
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("resource", "text", (c) => c.notNull())
    .addColumn("effect", "text", (c) => c.notNull())
    .addColumn("resource_type", "text", (c) => c.notNull())
    .addColumn("actions", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("authz_grants_pk", [
      "namespace_id",
      "subject_type",
      "subject_id",
      "resource",
      "effect",
    ])
    .execute();
  await db.schema
    .createIndex("authz_grants_subject")
    .on("authz_grants")
    .columns(["subject_type", "subject_id"])
    .execute();

  await db.schema
    .createTable("authz_data_resources")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull())
    .addColumn("namespace_id", "text", (c) =>
      c.notNull().references("authz_namespaces.id").onDelete("cascade"),
    )
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("struct", "text", (c) => c.notNull())
    .addColumn("actions", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("authz_data_resources_code", ["namespace_id", "code"])
    .execute();

  await db.schema
    .createTable("authz_data_policies")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("statements", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("authz_data_policies_name", ["pool_id", "name"])
    .execute();

  await db.schema
    .createTable("authz_policy_targets")
    .addColumn("policy_id", "text", (c) =>
      c.notNull().references("authz_data_policies.id").onDelete("cascade"),
    )
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("authz_policy_targets_pk", ["policy_id", "target_type", "target_id"])
    .execute();
  await db.schema
    .createIndex("authz_policy_targets_target")
    .on("authz_policy_targets")
    .columns(["target_type", "target_id"])
    .execute();
}
