import type { Selectable } from "kysely";
import type { AccessKeyTable } from "../schema.js";
import type { Executor } from "./executor.js";

export type AccessKeyRow = Selectable<AccessKeyTable>;

/** Extra management access keys of a pool (the pool's own id/secret is always a key too). */
export function accessKeysRepo(db: Executor) {
  return {
    async insertAccessKey(row: AccessKeyRow): Promise<void> {
      await db.insertInto("access_keys").values(row).execute();
    },
    /** By id alone: the signature check learns the pool from the key. */
    findAccessKey(id: string): Promise<AccessKeyRow | undefined> {
      return db.selectFrom("access_keys").selectAll().where("id", "=", id).executeTakeFirst();
    },
    findPoolAccessKey(poolId: string, id: string): Promise<AccessKeyRow | undefined> {
      return db
        .selectFrom("access_keys")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    listAccessKeys(poolId: string): Promise<AccessKeyRow[]> {
      return db
        .selectFrom("access_keys")
        .selectAll()
        .where("pool_id", "=", poolId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
    },
    async setAccessKeyEnabled(poolId: string, id: string, enabled: boolean, now: number): Promise<number> {
      const r = await db
        .updateTable("access_keys")
        .set({ enabled: enabled ? 1 : 0, updated_at: now })
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async deleteAccessKey(poolId: string, id: string): Promise<number> {
      const r = await db
        .deleteFrom("access_keys")
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
