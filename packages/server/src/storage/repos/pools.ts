import type { Selectable } from "kysely";
import type { UserPoolTable } from "../schema.js";
import { writingUsers } from "../sqlite/user-rows.js";
import { defaultNamespaceRow } from "./authz-model.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";
import { RowCache } from "./row-cache.js";

export type PoolRow = Selectable<UserPoolTable>;

const poolById = compiled("pools.byId", (db, id: string) =>
  db.selectFrom("user_pools").selectAll().where("id", "=", id),
);

/** Shared with sealed-columns.ts, whose writes drop entries too. */
export const poolCache = new RowCache<PoolRow>();

export function poolsRepo(db: Executor) {
  return {
    /**
     * A pool comes with its `default` permission namespace, so that reads which name no namespace
     * never have to create it (docs/authorization.md). Callers pass a transaction.
     */
    async insertPool(row: PoolRow): Promise<void> {
      await db.insertInto("user_pools").values(row).execute();
      await db.insertInto("authz_namespaces").values(defaultNamespaceRow(row.id, row.created_at)).execute();
    },
    findPoolById: (id: string) => poolCache.get(id, async () => firstRow(await poolById(db, id))),
    listPools(): Promise<PoolRow[]> {
      return db.selectFrom("user_pools").selectAll().orderBy("created_at").execute();
    },
    async updatePoolSettings(id: string, settings: string, now: number): Promise<void> {
      await db.updateTable("user_pools").set({ settings, updated_at: now }).where("id", "=", id).execute();
      poolCache.drop(id);
    },
    /** `secret` is sealed (services/secrets); the old one stops signing at once on this node. */
    async updatePoolSecret(id: string, secret: string, now: number): Promise<number> {
      const r = await db
        .updateTable("user_pools")
        .set({ secret, updated_at: now })
        .where("id", "=", id)
        .executeTakeFirst();
      poolCache.drop(id);
      return Number(r.numUpdatedRows);
    },
    /** Deletes the pool and, by cascade, its users, applications and everything else of it. */
    async deletePool(id: string): Promise<number> {
      const r = await writingUsers(db, () =>
        db.deleteFrom("user_pools").where("id", "=", id).executeTakeFirst(),
      );
      poolCache.drop(id);
      return Number(r.numDeletedRows);
    },
  };
}
