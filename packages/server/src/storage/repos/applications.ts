import type { Selectable } from "kysely";
import type { ApplicationTable } from "../schema.js";
import type { Executor } from "./executor.js";

export type ApplicationRow = Selectable<ApplicationTable>;

export function applicationsRepo(db: Executor) {
  return {
    async insertApplication(row: ApplicationRow): Promise<void> {
      await db.insertInto("applications").values(row).execute();
    },
    findApplicationById(id: string): Promise<ApplicationRow | undefined> {
      return db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirst();
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
