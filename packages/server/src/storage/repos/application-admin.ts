import type { Updateable } from "kysely";
import type { ApplicationTable } from "../schema.js";
import { type ApplicationRow, applicationCache } from "./applications.js";
import type { Executor } from "./executor.js";

export type ApplicationPatch = Updateable<ApplicationTable>;

/** Pool-scoped application reads and writes for the management API. */
export function applicationAdminRepo(db: Executor) {
  return {
    /** Every application's stored config, for what discovery says some application uses. */
    listApplicationConfigs(): Promise<Pick<ApplicationRow, "id" | "config">[]> {
      return db.selectFrom("applications").select(["id", "config"]).execute();
    },
    findPoolApplication(poolId: string, id: string): Promise<ApplicationRow | undefined> {
      return db
        .selectFrom("applications")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    findPoolApplicationByIdentifier(poolId: string, identifier: string): Promise<ApplicationRow | undefined> {
      return db
        .selectFrom("applications")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("identifier", "=", identifier)
        .executeTakeFirst();
    },
    async updatePoolApplication(poolId: string, id: string, patch: ApplicationPatch): Promise<number> {
      const r = await db
        .updateTable("applications")
        .set(patch)
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      applicationCache.drop(id);
      return Number(r.numUpdatedRows);
    },
    async deletePoolApplication(poolId: string, id: string): Promise<number> {
      const r = await db
        .deleteFrom("applications")
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      applicationCache.drop(id);
      return Number(r.numDeletedRows);
    },
  };
}
