import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import { newId, newSecret } from "../../lib/ids.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { PoolRow } from "../../storage/repos/pools.js";
import type { Database } from "../../storage/schema.js";
import { type BootstrapInfo, defaultApplicationRow, ensureBootstrap } from "./bootstrap.js";

export interface PoolAdminDeps {
  db: Kysely<Database>;
  repos: Repositories;
  clock: Clock;
  publicUrl: string;
}

/** User pools for `gatehouse pool create|list`: a pool's id/secret are its management keys. */
export function createPoolAdmin({ db, repos, clock, publicUrl }: PoolAdminDeps) {
  return {
    async create(name: string): Promise<{ pool: PoolRow; app: ApplicationRow }> {
      const now = clock.now();
      const pool: PoolRow = {
        id: newId(),
        name,
        secret: newSecret(),
        settings: "{}",
        created_at: now,
        updated_at: now,
      };
      // Every pool starts with one application, as the bootstrap pool does: the SDKs need an app id.
      const app = defaultApplicationRow(newId(), pool.id, now);
      await db.transaction().execute(async (trx) => {
        const tx = repositories(trx);
        await tx.pools.insertPool(pool);
        await tx.applications.insertApplication(app);
      });
      return { pool, app };
    },

    async listWithCounts() {
      const pools = await repos.pools.listPools();
      return Promise.all(
        pools.map(async (p) => ({
          pool: p,
          users: await repos.users.countUsers(p.id),
          applications: (await repos.applications.listApplicationsByPool(p.id)).length,
        })),
      );
    },

    async exists(poolId: string): Promise<boolean> {
      return (await repos.pools.findPoolById(poolId)) !== undefined;
    },

    /** The default pool and application, created on first use (as `gatehouse start` would). */
    async ensureDefault(): Promise<BootstrapInfo> {
      return (await ensureBootstrap(db, clock, publicUrl)).info;
    },
  };
}
