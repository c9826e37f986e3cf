import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import { newId, newSecret } from "../../lib/ids.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { PoolRow } from "../../storage/repos/pools.js";
import type { Database } from "../../storage/schema.js";
import { type Emit, withEvents } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { type BootstrapInfo, defaultApplicationRow, ensureBootstrap } from "./bootstrap.js";

export interface PoolAdminDeps {
  db: Kysely<Database>;
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
  publicUrl: string;
  emit: Emit;
}

/**
 * User pools for `gatehouse pool create|list|rotate-secret`: a pool's id/secret are its management
 * keys. Secrets are stored sealed; what `create` returns carries them opened, for the operator.
 */
export function createPoolAdmin({ db, repos, clock, box, publicUrl, emit }: PoolAdminDeps) {
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
      const app = defaultApplicationRow(box, newId(), pool.id, now);
      await db.transaction().execute(async (trx) => {
        const tx = repositories(trx);
        await tx.pools.insertPool({ ...pool, secret: box.seal("pool-secret", pool.id, pool.secret) });
        await tx.applications.insertApplication(app);
      });
      return { pool, app: { ...app, secret: box.open("app-secret", app.id, app.secret) } };
    },

    /**
     * A new secret for the pool's own access key. The old one is refused from now on: signed
     * requests at once (within the 0.9 s row cache on other nodes), management tokens obtained
     * with it too (docs/security.md §Rotating a pool's secret). Undefined: no such pool.
     */
    async rotateSecret(poolId: string, origin: EventOrigin): Promise<string | undefined> {
      const secret = newSecret();
      const updated = await withEvents(repos, async (tx) => {
        const n = await tx.pools.updatePoolSecret(
          poolId,
          box.seal("pool-secret", poolId, secret),
          clock.now(),
        );
        if (n === 1)
          await emit(tx, origin, {
            poolId,
            name: "user-pool:secret-refreshed",
            data: { userPoolId: poolId },
          });
        return n;
      });
      return updated === 1 ? secret : undefined;
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
      return (await ensureBootstrap(db, box, clock, publicUrl)).info;
    },
  };
}
