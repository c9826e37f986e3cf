import type { Kysely } from "kysely";
import { newId } from "../../lib/ids.js";

/**
 * Every pool gets its `default` permission namespace as a row (docs/authorization.md). It used to
 * be created by the first request that named no namespace — a read included — so a refused request
 * could change the database. New pools are created with it (the pools repo's insertPool).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pools: { id: string; created_at: number | string }[] = await db
    .selectFrom("user_pools")
    .select(["id", "created_at"])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("authz_namespaces")
            .select("authz_namespaces.id")
            .whereRef("authz_namespaces.pool_id", "=", "user_pools.id")
            .where("authz_namespaces.code", "=", "default"),
        ),
      ),
    )
    .execute();
  for (const pool of pools) {
    await db
      .insertInto("authz_namespaces")
      // The row as it was when this migration was written: a migration never follows later code.
      .values({
        id: newId(),
        pool_id: pool.id,
        code: "default",
        name: "Default",
        description: null,
        created_at: Number(pool.created_at),
        updated_at: Number(pool.created_at),
      })
      .execute();
  }
}

export async function down(): Promise<void> {
  // The rows stay: they are what the pools would have created on first use.
}
