import type { AccessKeyDto } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId, newSecret } from "../../lib/ids.js";
import type { AccessKeyRow } from "../../storage/repos/access-keys.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { SecretBox } from "../secrets/secret-box.js";

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

/**
 * Secrets are stored sealed (docs/security.md §What is hashed and what is encrypted); what this service returns
 * carries them opened, for the signature check and for the key's owner.
 */
export function createAccessKeys({
  repos,
  clock,
  box,
}: {
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
}) {
  const opened = (row: AccessKeyRow): AccessKeyRow => ({
    ...row,
    secret: box.open("access-key-secret", row.id, row.secret),
  });
  const assertExtraKey = async (poolId: string, id: string) => {
    if (id === poolId) throw new ApiError("ACCESS_KEY_POOL_KEY");
    const row = await repos.accessKeys.findPoolAccessKey(poolId, id);
    if (!row) throw new ApiError("ACCESS_KEY_NOT_FOUND");
    return opened(row);
  };
  return {
    /**
     * The pool's own id/secret is always a key of that pool (docs/wire-contract.md §1.4.1); any number of
     * extra keys can be created, disabled and deleted. Disabled or unknown → undefined.
     */
    async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
      const pool = await repos.pools.findPoolById(accessKeyId);
      if (pool) {
        const secret = box.open("pool-secret", pool.id, pool.secret);
        return { accessKeyId, secret, poolId: pool.id, isPoolKey: true };
      }
      const key = await repos.accessKeys.findAccessKey(accessKeyId);
      if (key?.enabled !== 1) return undefined;
      const secret = box.open("access-key-secret", key.id, key.secret);
      return { accessKeyId, secret, poolId: key.pool_id, isPoolKey: false };
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
      await repos.accessKeys.insertAccessKey({
        ...row,
        secret: box.seal("access-key-secret", row.id, row.secret),
      });
      return row;
    },
    async list(poolId: string): Promise<AccessKeyRow[]> {
      return (await repos.accessKeys.listAccessKeys(poolId)).map(opened);
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
