import type { Selectable } from "kysely";
import type {
  AuthzDataPolicyTable,
  AuthzDataResourceTable,
  AuthzGrantTable,
  AuthzResourceTable,
} from "../schema.js";
import type { Page } from "./authz-model.js";
import type { Executor } from "./executor.js";

export type ResourceRow = Selectable<AuthzResourceTable>;
export type GrantRow = Selectable<AuthzGrantTable>;
export type DataResourceRow = Selectable<AuthzDataResourceTable>;
export type DataPolicyRow = Selectable<AuthzDataPolicyTable>;
export interface Subject {
  type: string;
  id: string;
}

/** Common resources and their grants, data resources, data policies and their targets. */
export function authzResourcesRepo(db: Executor) {
  return {
    // Common resources
    findResource(namespaceId: string, code: string): Promise<ResourceRow | undefined> {
      return db
        .selectFrom("authz_resources")
        .selectAll()
        .where("namespace_id", "=", namespaceId)
        .where("code", "=", code)
        .executeTakeFirst();
    },
    findResourcesByCodes(namespaceId: string, codes: string[]): Promise<ResourceRow[]> {
      if (codes.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("authz_resources")
        .selectAll()
        .where("namespace_id", "=", namespaceId)
        .where("code", "in", codes)
        .execute();
    },
    findResourcesByIds(namespaceId: string, ids: string[]): Promise<ResourceRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("authz_resources")
        .selectAll()
        .where("namespace_id", "=", namespaceId)
        .where("id", "in", ids)
        .execute();
    },
    async insertResource(row: ResourceRow): Promise<void> {
      await db.insertInto("authz_resources").values(row).execute();
    },
    async updateResource(
      id: string,
      set: Partial<Omit<ResourceRow, "id" | "pool_id" | "namespace_id" | "code" | "created_at">>,
    ): Promise<void> {
      await db.updateTable("authz_resources").set(set).where("id", "=", id).execute();
    },
    async deleteResource(row: ResourceRow): Promise<void> {
      await db
        .deleteFrom("authz_grants")
        .where("namespace_id", "=", row.namespace_id)
        .where("resource", "=", row.code)
        .execute();
      await db.deleteFrom("authz_resources").where("id", "=", row.id).execute();
    },
    async listResources(namespaceId: string, type: string | undefined, page: Page) {
      let q = db.selectFrom("authz_resources").where("namespace_id", "=", namespaceId);
      if (type) q = q.where("type", "=", type);
      const [count, list] = await Promise.all([
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
        q.selectAll().orderBy("created_at").orderBy("code").offset(page.offset).limit(page.limit).execute(),
      ]);
      return { totalCount: Number(count.n), list };
    },

    // Grants
    async upsertGrant(row: GrantRow): Promise<void> {
      await db
        .insertInto("authz_grants")
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(["namespace_id", "subject_type", "subject_id", "resource", "effect"])
            .doUpdateSet({ actions: row.actions, resource_type: row.resource_type }),
        )
        .execute();
    },
    /** The grants of these subjects in one namespace, or in every namespace. */
    grantsOf(subjects: Subject[], namespaceId?: string): Promise<GrantRow[]> {
      if (subjects.length === 0) return Promise.resolve([]);
      let q = db
        .selectFrom("authz_grants")
        .selectAll()
        .where((eb) =>
          eb.or(subjects.map((s) => eb.and([eb("subject_type", "=", s.type), eb("subject_id", "=", s.id)]))),
        );
      if (namespaceId) q = q.where("namespace_id", "=", namespaceId);
      return q.orderBy("created_at").orderBy("resource").execute();
    },

    // Data resources
    findDataResource(namespaceId: string, code: string): Promise<DataResourceRow | undefined> {
      return db
        .selectFrom("authz_data_resources")
        .selectAll()
        .where("namespace_id", "=", namespaceId)
        .where("code", "=", code)
        .executeTakeFirst();
    },
    listDataResourcesOfNamespace(namespaceId: string): Promise<DataResourceRow[]> {
      return db
        .selectFrom("authz_data_resources")
        .selectAll()
        .where("namespace_id", "=", namespaceId)
        .orderBy("created_at")
        .orderBy("code")
        .execute();
    },
    findDataResourceByName(namespaceId: string, name: string): Promise<DataResourceRow | undefined> {
      return db
        .selectFrom("authz_data_resources")
        .selectAll()
        .where("namespace_id", "=", namespaceId)
        .where("name", "=", name)
        .executeTakeFirst();
    },
    async insertDataResource(row: DataResourceRow): Promise<void> {
      await db.insertInto("authz_data_resources").values(row).execute();
    },
    async updateDataResource(
      id: string,
      set: Partial<Pick<DataResourceRow, "name" | "description" | "struct" | "actions" | "updated_at">>,
    ): Promise<void> {
      await db.updateTable("authz_data_resources").set(set).where("id", "=", id).execute();
    },
    async deleteDataResource(id: string): Promise<void> {
      await db.deleteFrom("authz_data_resources").where("id", "=", id).execute();
    },
    async listDataResources(
      poolId: string,
      namespaceIds: string[] | undefined,
      query: string | undefined,
      page: Page,
    ) {
      let q = db
        .selectFrom("authz_data_resources as d")
        .innerJoin("authz_namespaces as n", "n.id", "d.namespace_id")
        .where("d.pool_id", "=", poolId);
      if (namespaceIds) q = q.where("d.namespace_id", "in", namespaceIds.length ? namespaceIds : [""]);
      if (query)
        q = q.where((eb) => eb.or([eb("d.code", "like", `%${query}%`), eb("d.name", "like", `%${query}%`)]));
      const [count, list] = await Promise.all([
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
        q
          .selectAll("d")
          .select(["n.code as namespace_code", "n.name as namespace_name"])
          .orderBy("d.created_at")
          .orderBy("d.code")
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
      ]);
      return { totalCount: Number(count.n), list };
    },

    // Data policies
    findPolicy(poolId: string, id: string): Promise<DataPolicyRow | undefined> {
      return db
        .selectFrom("authz_data_policies")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    findPolicyByName(poolId: string, name: string): Promise<DataPolicyRow | undefined> {
      return db
        .selectFrom("authz_data_policies")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("name", "=", name)
        .executeTakeFirst();
    },
    listAllPolicies(poolId: string): Promise<DataPolicyRow[]> {
      return db.selectFrom("authz_data_policies").selectAll().where("pool_id", "=", poolId).execute();
    },
    async insertPolicy(row: DataPolicyRow): Promise<void> {
      await db.insertInto("authz_data_policies").values(row).execute();
    },
    async updatePolicy(
      id: string,
      set: Partial<Pick<DataPolicyRow, "name" | "description" | "statements" | "updated_at">>,
    ): Promise<void> {
      await db.updateTable("authz_data_policies").set(set).where("id", "=", id).execute();
    },
    async deletePolicy(id: string): Promise<void> {
      await db.deleteFrom("authz_data_policies").where("id", "=", id).execute();
    },
    async listPolicies(poolId: string, query: string | undefined, page: Page) {
      let q = db.selectFrom("authz_data_policies").where("pool_id", "=", poolId);
      if (query) q = q.where("name", "like", `%${query}%`);
      const [count, list] = await Promise.all([
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
        q.selectAll().orderBy("created_at").orderBy("name").offset(page.offset).limit(page.limit).execute(),
      ]);
      return { totalCount: Number(count.n), list };
    },
    async addPolicyTargets(policyIds: string[], targets: Subject[], now: number): Promise<void> {
      const values = policyIds.flatMap((policy_id) =>
        targets.map((t) => ({ policy_id, target_type: t.type, target_id: t.id, created_at: now })),
      );
      if (values.length === 0) return;
      await db
        .insertInto("authz_policy_targets")
        .values(values)
        .onConflict((oc) => oc.columns(["policy_id", "target_type", "target_id"]).doNothing())
        .execute();
    },
    async removePolicyTargets(policyId: string, targets: Subject[]): Promise<void> {
      for (const t of targets) {
        await db
          .deleteFrom("authz_policy_targets")
          .where("policy_id", "=", policyId)
          .where("target_type", "=", t.type)
          .where("target_id", "=", t.id)
          .execute();
      }
    },
    listPolicyTargets(policyIds: string[]) {
      if (policyIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("authz_policy_targets")
        .selectAll()
        .where("policy_id", "in", policyIds)
        .orderBy("created_at")
        .execute();
    },
    /** The statements (JSON) of the policies these subjects hold. */
    async policyStatementsOf(subjects: Subject[]): Promise<string[]> {
      if (subjects.length === 0) return [];
      const rows = await db
        .selectFrom("authz_policy_targets as t")
        .innerJoin("authz_data_policies as p", "p.id", "t.policy_id")
        .select("p.statements")
        .where((eb) =>
          eb.or(
            subjects.map((s) => eb.and([eb("t.target_type", "=", s.type), eb("t.target_id", "=", s.id)])),
          ),
        )
        .execute();
      return rows.map((r) => r.statements);
    },
  };
}
