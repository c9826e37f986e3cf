import type { Context } from "../../context.js";
import { newId, newSecret } from "../../lib/ids.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import { repositories } from "../../storage/repos/index.js";
import type { PoolRow } from "../../storage/repos/pools.js";
import { defaultAppConfig } from "./bootstrap.js";

/** User pools for `gatehouse pool create|list`: a pool's id/secret are its management keys. */
export async function createPool(
  ctx: Context,
  name: string,
): Promise<{ pool: PoolRow; app: ApplicationRow }> {
  const now = ctx.clock.now();
  const pool: PoolRow = {
    id: newId(),
    name,
    secret: newSecret(),
    settings: "{}",
    created_at: now,
    updated_at: now,
  };
  // Every pool starts with one application, as the bootstrap pool does: the SDKs need an app id.
  const app: ApplicationRow = {
    id: newId(),
    pool_id: pool.id,
    name: "Default application",
    identifier: "default",
    secret: newSecret(),
    app_type: "web",
    token_endpoint_auth_method: "client_secret_post",
    config: JSON.stringify(defaultAppConfig()),
    created_at: now,
    updated_at: now,
  };
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const repos = repositories(trx);
    await repos.pools.insertPool(pool);
    await repos.applications.insertApplication(app);
  });
  return { pool, app };
}

export async function listPoolsWithCounts(ctx: Context) {
  const pools = await ctx.repos.pools.listPools();
  return Promise.all(
    pools.map(async (p) => ({
      pool: p,
      users: await ctx.repos.users.countUsers(p.id),
      applications: (await ctx.repos.applications.listApplicationsByPool(p.id)).length,
    })),
  );
}
