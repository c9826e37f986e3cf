import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";

/**
 * The replay cache of signed management requests, shared by every node. The database is the
 * default; storage/redis/nonce-store.ts implements the same one-method interface on Redis.
 */
export interface NonceStore {
  /** Remember `nonce` for `accessKeyId` until `expiresAt` (epoch ms); false when it was already seen. */
  claim(accessKeyId: string, nonce: string, expiresAt: number): Promise<boolean>;
}

const PRUNE_EVERY_MS = 60_000;

export function databaseNonceStore(repos: Repositories, clock: Clock): NonceStore {
  let lastPrune = 0;
  return {
    async claim(accessKeyId, nonce, expiresAt) {
      const now = clock.now();
      if (now - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = now;
        // Rows past their expiry can no longer match: such a request fails the date window first.
        await repos.signatureNonces.deleteExpiredNonces(now);
      }
      return repos.signatureNonces.insertNonce(accessKeyId, nonce, expiresAt);
    },
  };
}
