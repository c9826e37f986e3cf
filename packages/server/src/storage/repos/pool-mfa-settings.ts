import type { Executor } from "./executor.js";
import { RowCache } from "./row-cache.js";

/**
 * The pool's MFA settings, read by every `/api/v3/signin` (is the API's MFA step on?): cached like
 * the pool row (row-cache.ts: dropped at once by the write below, another node sees a change
 * within its TTL). A pool without a row is cached too, as `settings: undefined`.
 */
export const poolMfaSettingsCache = new RowCache<{ settings: string | undefined }>();

export function poolMfaSettingsRepo(db: Executor) {
  return {
    async getPoolMfaSettings(poolId: string): Promise<string | undefined> {
      const entry = await poolMfaSettingsCache.get(poolId, async () => {
        const row = await db
          .selectFrom("pool_mfa_settings")
          .select("settings")
          .where("pool_id", "=", poolId)
          .executeTakeFirst();
        return { settings: row?.settings };
      });
      return entry?.settings;
    },
    async setPoolMfaSettings(poolId: string, settings: string, now: number): Promise<void> {
      await db
        .insertInto("pool_mfa_settings")
        .values({ pool_id: poolId, settings, updated_at: now })
        .onConflict((oc) => oc.column("pool_id").doUpdateSet({ settings, updated_at: now }))
        .execute();
      poolMfaSettingsCache.drop(poolId);
    },
  };
}
