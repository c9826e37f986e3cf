import type { Selectable } from "kysely";
import { newId } from "../../lib/ids.js";
import type {
  AuthzGroupTable,
  AuthzNamespaceTable,
  AuthzRoleAssignmentTable,
  AuthzRoleTable,
} from "../schema.js";
import type { Executor } from "./executor.js";

export type NamespaceRow = Selectable<AuthzNamespaceTable>;
export type RoleRow = Selectable<AuthzRoleTable>;
export type GroupRow = Selectable<AuthzGroupTable>;
export type RoleAssignmentRow = Selectable<AuthzRoleAssignmentTable>;
export type RoleWithNamespace = RoleRow & { namespace_code: string; namespace_name: string };
export interface Page {
  offset: number;
  limit: number;
}

/** Namespaces, roles, groups, group members and role assignments (docs/authorization.md). */
/** The namespace every pool has from its creation; it cannot be renamed or deleted. */
export const DEFAULT_NAMESPACE = "default";

/** The `default` namespace row of a new pool (insertPool; migration 0020 for older pools). */
export function defaultNamespaceRow(poolId: string, now: number): NamespaceRow {
  return {
    id: newId(),
    pool_id: poolId,
    code: DEFAULT_NAMESPACE,
    name: "Default",
    description: null,
    created_at: now,
    updated_at: now,
  };
}

export function authzModelRepo(db: Executor) {
  const rolesWithNamespace = () =>
    db
      .selectFrom("authz_roles as r")
      .innerJoin("authz_namespaces as n", "n.id", "r.namespace_id")
      .selectAll("r")
      .select(["n.code as namespace_code", "n.name as namespace_name"]);

  return {
    // Namespaces
    findNamespace(poolId: string, code: string): Promise<NamespaceRow | undefined> {
      return db
        .selectFrom("authz_namespaces")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("code", "=", code)
        .executeTakeFirst();
    },
    findNamespaceByName(poolId: string, name: string): Promise<NamespaceRow | undefined> {
      return db
        .selectFrom("authz_namespaces")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("name", "=", name)
        .executeTakeFirst();
    },
    findNamespacesByCodes(poolId: string, codes: string[]): Promise<NamespaceRow[]> {
      if (codes.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("authz_namespaces")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("code", "in", codes)
        .orderBy("created_at")
        .orderBy("code")
        .execute();
    },
    async insertNamespace(row: NamespaceRow): Promise<void> {
      await db.insertInto("authz_namespaces").values(row).execute();
    },
    async updateNamespace(
      id: string,
      set: Partial<Pick<NamespaceRow, "code" | "name" | "description" | "updated_at">>,
    ): Promise<void> {
      await db.updateTable("authz_namespaces").set(set).where("id", "=", id).execute();
    },
    async deleteNamespace(id: string): Promise<void> {
      await db.deleteFrom("authz_namespaces").where("id", "=", id).execute();
    },
    async listNamespaces(poolId: string, keywords: string | undefined, page: Page) {
      let q = db.selectFrom("authz_namespaces").where("pool_id", "=", poolId);
      if (keywords)
        q = q.where((eb) =>
          eb.or([eb("code", "like", `%${keywords}%`), eb("name", "like", `%${keywords}%`)]),
        );
      const [count, list] = await Promise.all([
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
        q.selectAll().orderBy("created_at").orderBy("code").offset(page.offset).limit(page.limit).execute(),
      ]);
      return { totalCount: Number(count.n), list };
    },

    // Roles
    findRole(namespaceId: string, code: string): Promise<RoleWithNamespace | undefined> {
      return rolesWithNamespace()
        .where("r.namespace_id", "=", namespaceId)
        .where("r.code", "=", code)
        .executeTakeFirst();
    },
    findRoleById(poolId: string, id: string): Promise<RoleRow | undefined> {
      return db
        .selectFrom("authz_roles")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    findRolesByCodes(namespaceId: string, codes: string[]): Promise<RoleRow[]> {
      if (codes.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("authz_roles")
        .selectAll()
        .where("namespace_id", "=", namespaceId)
        .where("code", "in", codes)
        .execute();
    },
    async insertRole(row: RoleRow): Promise<void> {
      await db.insertInto("authz_roles").values(row).execute();
    },
    async updateRole(
      id: string,
      set: Partial<Omit<RoleRow, "id" | "pool_id" | "namespace_id" | "created_at">>,
    ): Promise<void> {
      await db.updateTable("authz_roles").set(set).where("id", "=", id).execute();
    },
    async deleteRoles(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await db
        .deleteFrom("authz_grants")
        .where("subject_type", "=", "ROLE")
        .where("subject_id", "in", ids)
        .execute();
      await db
        .deleteFrom("authz_policy_targets")
        .where("target_type", "=", "ROLE")
        .where("target_id", "in", ids)
        .execute();
      await db.deleteFrom("authz_roles").where("id", "in", ids).execute();
    },
    async listRoles(namespaceId: string, keywords: string | undefined, page: Page) {
      let q = rolesWithNamespace().where("r.namespace_id", "=", namespaceId);
      if (keywords)
        q = q.where((eb) =>
          eb.or([eb("r.code", "like", `%${keywords}%`), eb("r.name", "like", `%${keywords}%`)]),
        );
      const [count, list] = await Promise.all([
        q
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow(),
        q.orderBy("r.created_at").orderBy("r.code").offset(page.offset).limit(page.limit).execute(),
      ]);
      return { totalCount: Number(count.n), list };
    },

    // Role assignments
    async upsertAssignment(row: RoleAssignmentRow): Promise<void> {
      await db
        .insertInto("authz_role_assignments")
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(["role_id", "target_type", "target_id"])
            .doUpdateSet({ enable_time: row.enable_time, end_time: row.end_time }),
        )
        .execute();
    },
    async deleteAssignments(roleId: string, targetType: string, targetIds: string[]): Promise<number> {
      if (targetIds.length === 0) return 0;
      const r = await db
        .deleteFrom("authz_role_assignments")
        .where("role_id", "=", roleId)
        .where("target_type", "=", targetType)
        .where("target_id", "in", targetIds)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    /** The roles held directly by these targets (any namespace, or one), with the assignment's window. */
    rolesOfTargets(targetType: string, targetIds: string[], namespaceId?: string) {
      if (targetIds.length === 0) return Promise.resolve([]);
      let q = db
        .selectFrom("authz_role_assignments as a")
        .innerJoin("authz_roles as r", "r.id", "a.role_id")
        .innerJoin("authz_namespaces as n", "n.id", "r.namespace_id")
        .selectAll("r")
        .select([
          "n.code as namespace_code",
          "n.name as namespace_name",
          "a.enable_time",
          "a.end_time",
          "a.target_type",
        ])
        .where("a.target_type", "=", targetType)
        .where("a.target_id", "in", targetIds);
      if (namespaceId) q = q.where("r.namespace_id", "=", namespaceId);
      return q.orderBy("r.created_at").execute();
    },
    async listRoleUserIds(roleId: string, page: Page) {
      const q = db
        .selectFrom("authz_role_assignments")
        .where("role_id", "=", roleId)
        .where("target_type", "=", "USER");
      const [count, rows] = await Promise.all([
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
        q
          .select("target_id")
          .orderBy("created_at")
          .orderBy("target_id")
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
      ]);
      return { totalCount: Number(count.n), ids: rows.map((r) => r.target_id) };
    },

    // Groups
    findGroup(poolId: string, code: string): Promise<GroupRow | undefined> {
      return db
        .selectFrom("authz_groups")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("code", "=", code)
        .executeTakeFirst();
    },
    findGroupById(poolId: string, id: string): Promise<GroupRow | undefined> {
      return db
        .selectFrom("authz_groups")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    findGroupsByCodes(poolId: string, codes: string[]): Promise<GroupRow[]> {
      if (codes.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("authz_groups")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("code", "in", codes)
        .execute();
    },
    async insertGroup(row: GroupRow): Promise<void> {
      await db.insertInto("authz_groups").values(row).execute();
    },
    async updateGroup(
      id: string,
      set: Partial<Pick<GroupRow, "code" | "name" | "description" | "custom_data" | "updated_at">>,
    ): Promise<void> {
      await db.updateTable("authz_groups").set(set).where("id", "=", id).execute();
    },
    async deleteGroups(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await db
        .deleteFrom("authz_grants")
        .where("subject_type", "=", "GROUP")
        .where("subject_id", "in", ids)
        .execute();
      await db
        .deleteFrom("authz_policy_targets")
        .where("target_type", "=", "GROUP")
        .where("target_id", "in", ids)
        .execute();
      await db
        .deleteFrom("authz_role_assignments")
        .where("target_type", "=", "GROUP")
        .where("target_id", "in", ids)
        .execute();
      await db.deleteFrom("authz_groups").where("id", "in", ids).execute();
    },
    async listGroups(poolId: string, keywords: string | undefined, page: Page) {
      let q = db.selectFrom("authz_groups").where("pool_id", "=", poolId);
      if (keywords)
        q = q.where((eb) =>
          eb.or([eb("code", "like", `%${keywords}%`), eb("name", "like", `%${keywords}%`)]),
        );
      const [count, list] = await Promise.all([
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
        q.selectAll().orderBy("created_at").orderBy("code").offset(page.offset).limit(page.limit).execute(),
      ]);
      return { totalCount: Number(count.n), list };
    },
    async addGroupMembers(groupId: string, userIds: string[], now: number): Promise<void> {
      if (userIds.length === 0) return;
      await db
        .insertInto("authz_group_members")
        .values(userIds.map((user_id) => ({ group_id: groupId, user_id, created_at: now })))
        .onConflict((oc) => oc.columns(["group_id", "user_id"]).doNothing())
        .execute();
    },
    async removeGroupMembers(groupId: string, userIds: string[]): Promise<void> {
      if (userIds.length === 0) return;
      await db
        .deleteFrom("authz_group_members")
        .where("group_id", "=", groupId)
        .where("user_id", "in", userIds)
        .execute();
    },
    async listGroupMemberIds(groupId: string, page: Page) {
      const q = db.selectFrom("authz_group_members").where("group_id", "=", groupId);
      const [count, rows] = await Promise.all([
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
        q
          .select("user_id")
          .orderBy("created_at")
          .orderBy("user_id")
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
      ]);
      return { totalCount: Number(count.n), ids: rows.map((r) => r.user_id) };
    },
    groupsOfUser(userId: string): Promise<GroupRow[]> {
      return db
        .selectFrom("authz_group_members as m")
        .innerJoin("authz_groups as g", "g.id", "m.group_id")
        .selectAll("g")
        .where("m.user_id", "=", userId)
        .orderBy("g.created_at")
        .execute();
    },
  };
}
