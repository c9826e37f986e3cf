import type { Clock } from "../../lib/clock.js";
import type { NonceStore } from "../../services/admin/nonce-store.js";
import { type Redis, redisCall } from "./client.js";

/**
 * The management replay cache in Redis: `SET NX` claims a nonce atomically on every node, and
 * its TTL (the end of the signature's date window) forgets it.
 */
export function redisNonceStore(redis: Redis, clock: Clock): NonceStore {
  return {
    async claim(accessKeyId, nonce, expiresAt) {
      const ttl = Math.max(1, Math.ceil(expiresAt - clock.now()));
      const set = await redisCall(() => redis.set(`nonce:${accessKeyId}:${nonce}`, "1", "PX", ttl, "NX"));
      return set === "OK";
    },
  };
}
