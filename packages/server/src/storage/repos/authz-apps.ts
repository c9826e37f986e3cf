import type { Selectable } from "kysely";
import type { AuthzAppAccessTable } from "../schema.js";
import type { Executor } from "./executor.js";

export type AppAccessRow = Selectable<AuthzAppAccessTable>;

/** Application access control: strategies and rules (docs/authorization.md §Application access). */
export function authzAppsRepo(db: Executor) {
  return {
    async findAppStrategy(appId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom("authz_app_strategies")
        .select("permission_strategy")
        .where("app_id", "=", appId)
        .executeTakeFirst();
      return row?.permission_strategy;
    },
    /** The apps of a pool whose strategy is not the default `ALLOW_ALL`. */
    async listAppStrategies(poolId: string): Promise<{ app_id: string; permission_strategy: string }[]> {
      return db
        .selectFrom("authz_app_strategies")
        .select(["app_id", "permission_strategy"])
        .where("pool_id", "=", poolId)
        .execute();
    },
    async setAppStrategy(row: {
      app_id: string;
      pool_id: string;
      permission_strategy: string;
      updated_at: number;
    }): Promise<void> {
      await db
        .insertInto("authz_app_strategies")
        .values(row)
        .onConflict((oc) =>
          oc
            .column("app_id")
            .doUpdateSet({ permission_strategy: row.permission_strategy, updated_at: row.updated_at }),
        )
        .execute();
    },
    /** Writes rules; a rule for the same app and target replaces its effect. */
    async upsertAppAccess(rows: AppAccessRow[]): Promise<void> {
      for (const row of rows) {
        await db
          .insertInto("authz_app_access")
          .values(row)
          .onConflict((oc) =>
            oc.columns(["app_id", "target_type", "target_id"]).doUpdateSet({ effect: row.effect }),
          )
          .execute();
      }
    },
    async deleteAppAccess(appId: string, targetType: string, targetIds: string[]): Promise<void> {
      if (targetIds.length === 0) return;
      await db
        .deleteFrom("authz_app_access")
        .where("app_id", "=", appId)
        .where("target_type", "=", targetType)
        .where("target_id", "in", targetIds)
        .execute();
    },
    /**
     * In one statement, what a sign-in needs to know first: the application's strategy (undefined:
     * the default) and whether any rule denies someone the application.
     */
    async appRestriction(appId: string): Promise<{ strategy: string | undefined; denies: boolean }> {
      const row = await db
        .selectNoFrom((eb) => [
          eb
            .selectFrom("authz_app_strategies")
            .select("permission_strategy")
            .where("app_id", "=", appId)
            .as("strategy"),
          eb
            .exists(
              eb
                .selectFrom("authz_app_access")
                .select("app_id")
                .where("app_id", "=", appId)
                .where("effect", "=", "DENY"),
            )
            .as("denies"),
        ])
        .executeTakeFirstOrThrow();
      return { strategy: row.strategy ?? undefined, denies: Boolean(Number(row.denies)) };
    },
    /** The rules of a pool that name any of these subjects. */
    async appAccessOf(poolId: string, subjects: { type: string; id: string }[]): Promise<AppAccessRow[]> {
      if (subjects.length === 0) return [];
      return db
        .selectFrom("authz_app_access")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where((eb) =>
          eb.or(subjects.map((s) => eb.and([eb("target_type", "=", s.type), eb("target_id", "=", s.id)]))),
        )
        .execute();
    },
  };
}
