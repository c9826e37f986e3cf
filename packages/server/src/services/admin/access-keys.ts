import type { AccessKeyDto } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId, newSecret } from "../../lib/ids.js";
import type { AccessKeyRow } from "../../storage/repos/access-keys.js";
import type { Repositories } from "../../storage/repos/index.js";

/** A key that may sign management requests, and the pool it administers. */
export interface ResolvedAccessKey {
  accessKeyId: string;
  secret: string;
  poolId: string;
  /** True for the pool's own `userPoolId`/`userPoolSecret` pair. */
  isPoolKey: boolean;
}

export function toAccessKeyDto(row: AccessKeyRow): AccessKeyDto {
  return {
    accessKeyId: row.id,
    accessKeySecret: row.secret,
    userId: "",
    createdAt: new Date(row.created_at).toISOString(),
    status: row.enabled === 1 ? "activated" : "revoked",
    lastDate: new Date(row.updated_at).toISOString(),
    userPoolId: row.pool_id,
    enable: row.enabled === 1,
  };
}

export function createAccessKeys({ repos, clock }: { repos: Repositories; clock: Clock }) {
  const assertExtraKey = async (poolId: string, id: string) => {
    if (id === poolId) throw new ApiError("ACCESS_KEY_POOL_KEY");
    const row = await repos.accessKeys.findPoolAccessKey(poolId, id);
    if (!row) throw new ApiError("ACCESS_KEY_NOT_FOUND");
    return row;
  };
  return {
    /**
     * The pool's own id/secret is always a key of that pool (docs/wire-contract.md §1.4.1); any number of
     * extra keys can be created, disabled and deleted. Disabled or unknown → undefined.
     */
    async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
      const pool = await repos.pools.findPoolById(accessKeyId);
      if (pool) return { accessKeyId, secret: pool.secret, poolId: pool.id, isPoolKey: true };
      const key = await repos.accessKeys.findAccessKey(accessKeyId);
      if (key?.enabled !== 1) return undefined;
      return { accessKeyId, secret: key.secret, poolId: key.pool_id, isPoolKey: false };
    },
    async create(poolId: string, description?: string): Promise<AccessKeyRow> {
      const now = clock.now();
      const row: AccessKeyRow = {
        id: newId(),
        pool_id: poolId,
        secret: newSecret(),
        enabled: 1,
        description: description ?? null,
        created_at: now,
        updated_at: now,
      };
      await repos.accessKeys.insertAccessKey(row);
      return row;
    },
    list(poolId: string): Promise<AccessKeyRow[]> {
      return repos.accessKeys.listAccessKeys(poolId);
    },
    get: assertExtraKey,
    async setEnabled(poolId: string, id: string, enabled: boolean): Promise<void> {
      await assertExtraKey(poolId, id);
      await repos.accessKeys.setAccessKeyEnabled(poolId, id, enabled, clock.now());
    },
    async remove(poolId: string, id: string): Promise<void> {
      await assertExtraKey(poolId, id);
      await repos.accessKeys.deleteAccessKey(poolId, id);
    },
  };
}
export type AccessKeys = ReturnType<typeof createAccessKeys>;
