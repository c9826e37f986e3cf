import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import { StorageUnavailable } from "../unavailable.js";

export type { Redis };

const require = createRequire(import.meta.url);

/**
 * The shared Redis connection (GATEHOUSE_REDIS_URL). Every key carries `keyPrefix`. Commands fail
 * fast while the connection is down (no offline queue, one retry) so requests answer 503 rather
 * than hang; ioredis keeps reconnecting in the background.
 */
export async function openRedis(url: string, keyPrefix: string): Promise<Redis> {
  // Loaded only when Redis is configured (memory: the default setup has no Redis).
  const { Redis } = require("ioredis") as typeof import("ioredis");
  const redis = new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A peer that accepts and drops connections (a proxy in front of a dead Redis) would
    // otherwise keep a command waiting through endless reconnects.
    commandTimeout: 2000,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  // Connection errors are reported to the commands that fail; an unhandled 'error' event would
  // only repeat them in the log on every reconnect attempt.
  redis.on("error", () => {});
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${redactRedisUrl(url)}: ${(err as Error).message}`);
  }
  return redis;
}

/** Run a Redis call; a connection failure becomes StorageUnavailable (503), anything else is thrown as is. */
export async function redisCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isRedisConnectionError(err)) throw new StorageUnavailable("Redis", err);
    throw err;
  }
}

function isRedisConnectionError(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string };
  return (
    e?.name === "MaxRetriesPerRequestError" ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue|Command timed out|ETIMEDOUT|ECONNREFUSED|ECONNRESET|EPIPE/.test(
      e?.message ?? "",
    )
  );
}

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "redis://…";
  }
}
