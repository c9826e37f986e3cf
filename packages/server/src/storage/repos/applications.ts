import type { Selectable } from "kysely";
import type { ApplicationTable } from "../schema.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";
import { RowCache } from "./row-cache.js";

export type ApplicationRow = Selectable<ApplicationTable>;

const applicationById = compiled("applications.byId", (db, id: string) =>
  db.selectFrom("applications").selectAll().where("id", "=", id),
);

/** Shared with application-admin.ts, whose writes drop entries too. */
export const applicationCache = new RowCache<ApplicationRow>();

export function applicationsRepo(db: Executor) {
  return {
    async insertApplication(row: ApplicationRow): Promise<void> {
      await db.insertInto("applications").values(row).execute();
    },
    findApplicationById: (id: string) =>
      applicationCache.get(id, async () => firstRow(await applicationById(db, id))),
    findApplicationsByIds(ids: string[]): Promise<ApplicationRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return db.selectFrom("applications").selectAll().where("id", "in", ids).execute();
    },
    async updateApplicationAuthMethod(id: string, method: string, now: number): Promise<number> {
      const r = await db
        .updateTable("applications")
        .set({ token_endpoint_auth_method: method, updated_at: now })
        .where("id", "=", id)
        .executeTakeFirst();
      applicationCache.drop(id);
      return Number(r.numUpdatedRows);
    },
    async updateApplicationConfig(id: string, config: string, now: number): Promise<number> {
      const r = await db
        .updateTable("applications")
        .set({ config, updated_at: now })
        .where("id", "=", id)
        .executeTakeFirst();
      applicationCache.drop(id);
      return Number(r.numUpdatedRows);
    },
    listApplicationsByPool(poolId: string): Promise<ApplicationRow[]> {
      return db
        .selectFrom("applications")
        .selectAll()
        .where("pool_id", "=", poolId)
        .orderBy("created_at")
        .execute();
    },
  };
}
