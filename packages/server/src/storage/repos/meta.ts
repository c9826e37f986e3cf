import type { Executor } from "./executor.js";

export function metaRepo(db: Executor) {
  return {
    async getMeta(key: string): Promise<string | undefined> {
      const row = await db.selectFrom("gh_meta").select("value").where("key", "=", key).executeTakeFirst();
      return row?.value;
    },
    /** Insert unless present, then return what is stored: several nodes starting at once agree. */
    async getOrInsertMeta(key: string, candidate: string): Promise<string> {
      await db
        .insertInto("gh_meta")
        .values({ key, value: candidate })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      const row = await db
        .selectFrom("gh_meta")
        .select("value")
        .where("key", "=", key)
        .executeTakeFirstOrThrow();
      return row.value;
    },
    async setMeta(key: string, value: string): Promise<void> {
      await db
        .insertInto("gh_meta")
        .values({ key, value })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
        .execute();
    },
    async deleteMeta(key: string): Promise<void> {
      await db.deleteFrom("gh_meta").where("key", "=", key).execute();
    },
    /** Replaces the value only while it is still `from`. */
    async replaceMeta(key: string, from: string, to: string): Promise<void> {
      await db
        .updateTable("gh_meta")
        .set({ value: to })
        .where("key", "=", key)
        .where("value", "=", from)
        .execute();
    },
  };
}
