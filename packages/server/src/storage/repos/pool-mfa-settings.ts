import type { Executor } from "./executor.js";

export function poolMfaSettingsRepo(db: Executor) {
  return {
    async getPoolMfaSettings(poolId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom("pool_mfa_settings")
        .select("settings")
        .where("pool_id", "=", poolId)
        .executeTakeFirst();
      return row?.settings;
    },
    async setPoolMfaSettings(poolId: string, settings: string, now: number): Promise<void> {
      await db
        .insertInto("pool_mfa_settings")
        .values({ pool_id: poolId, settings, updated_at: now })
        .onConflict((oc) => oc.column("pool_id").doUpdateSet({ settings, updated_at: now }))
        .execute();
    },
  };
}
