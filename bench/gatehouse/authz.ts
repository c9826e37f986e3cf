/**
 * The permission-check bench's data, written through the server's storage layer: the default app's
 * namespace (named by its app id) with N resources, 5 roles and 3 groups that every bench user
 * holds, and grants spread over them (docs/authorization.md).
 */
import type { BootstrapInfo } from "@gatehouse/server/dist/services/admin/bootstrap.js";
import { openDb } from "@gatehouse/server/dist/storage/db.js";

const ROLES = 5;
const GROUPS = 3;
/** Resources each role, each group and the user grant `read` on. */
const PER_ROLE = 150;
const PER_GROUP = 100;
const PER_USER = 20;

export const resourceCode = (i: number) => `res-${String(i).padStart(6, "0")}`;

const json = (actions: string[]) => JSON.stringify(actions);

export async function seedAuthz(
  databaseUrl: string,
  boot: BootstrapInfo,
  userIds: string[],
  resources: number,
) {
  const db = openDb(databaseUrl);
  const now = Date.now();
  const pool = boot.userPoolId;
  try {
    await db.kysely.transaction().execute(async (trx) => {
      const nsId = `ns${boot.appId}`.slice(0, 24);
      await trx
        .insertInto("authz_namespaces")
        .values({
          id: nsId,
          pool_id: pool,
          code: boot.appId,
          name: "bench",
          description: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const roleIds = Array.from({ length: ROLES }, (_, k) => `benchrole${k}`);
      const groupIds = Array.from({ length: GROUPS }, (_, k) => `benchgroup${k}`);
      await trx
        .insertInto("authz_roles")
        .values(
          roleIds.map((id) => ({
            id,
            pool_id: pool,
            namespace_id: nsId,
            code: id,
            name: id,
            description: "",
            status: "ENABLE",
            disable_time: null,
            enable_permission_apply: 0,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      await trx
        .insertInto("authz_groups")
        .values(
          groupIds.map((id) => ({
            id,
            pool_id: pool,
            code: id,
            name: id,
            description: "",
            type: "static",
            custom_data: null,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      for (const userId of userIds) {
        await trx
          .insertInto("authz_group_members")
          .values(groupIds.map((group_id) => ({ group_id, user_id: userId, created_at: now })))
          .execute();
        await trx
          .insertInto("authz_role_assignments")
          .values(
            roleIds.map((role_id) => ({
              role_id,
              target_type: "USER",
              target_id: userId,
              enable_time: null,
              end_time: null,
              created_at: now,
            })),
          )
          .execute();
      }
      const grants: { type: string; id: string; from: number; count: number }[] = [
        ...roleIds.map((id, k) => ({ type: "ROLE", id, from: k * PER_ROLE, count: PER_ROLE })),
        ...groupIds.map((id, k) => ({ type: "GROUP", id, from: 750 + k * PER_GROUP, count: PER_GROUP })),
        ...userIds.map((id) => ({ type: "USER", id, from: 0, count: PER_USER })),
      ];
      for (const g of grants) {
        await trx
          .insertInto("authz_grants")
          .values(
            Array.from({ length: g.count }, (_, j) => ({
              namespace_id: nsId,
              subject_type: g.type,
              subject_id: g.id,
              resource: resourceCode((g.from + j) % resources),
              effect: "ALLOW",
              resource_type: "DATA",
              actions: json(["read"]),
              created_at: now,
            })),
          )
          .execute();
      }
    });
    await addResources(db, pool, `ns${boot.appId}`.slice(0, 24), 0, resources, now);
  } finally {
    await db.close();
  }
}

/** Resources `from`…`from+count-1` of the namespace, each also granted to a role nobody holds. */
async function addResources(
  db: ReturnType<typeof openDb>,
  pool: string,
  nsId: string,
  from: number,
  count: number,
  now: number,
) {
  const batch = 500;
  for (let start = from; start < from + count; start += batch * 20) {
    await db.kysely.transaction().execute(async (trx) => {
      for (let b = start; b < Math.min(start + batch * 20, from + count); b += batch) {
        const codes = Array.from({ length: Math.min(batch, from + count - b) }, (_, j) =>
          resourceCode(b + j),
        );
        await trx
          .insertInto("authz_resources")
          .values(
            codes.map((code) => ({
              id: `r${code}`,
              pool_id: pool,
              namespace_id: nsId,
              code,
              type: "DATA",
              name: code,
              description: null,
              api_identifier: null,
              actions: '[{"name":"read","description":""}]',
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
        await trx
          .insertInto("authz_grants")
          .values(
            codes.map((code) => ({
              namespace_id: nsId,
              subject_type: "ROLE",
              subject_id: "benchrole-unheld",
              resource: code,
              effect: "ALLOW",
              resource_type: "DATA",
              actions: json(["read", "write"]),
              created_at: now,
            })),
          )
          .execute();
      }
    });
  }
}

/** Grows the namespace from `have` to `want` resources while the server runs (grants of the users unchanged). */
export async function growResources(databaseUrl: string, boot: BootstrapInfo, have: number, want: number) {
  const db = openDb(databaseUrl);
  try {
    await addResources(db, boot.userPoolId, `ns${boot.appId}`.slice(0, 24), have, want - have, Date.now());
    if (db.dialect === "postgres")
      await db.kysely.executeQuery({ sql: "ANALYZE authz_grants", parameters: [] } as any);
  } finally {
    await db.close();
  }
}
