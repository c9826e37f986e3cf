import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_TEST_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let reachable: Promise<boolean> | undefined;
let known: boolean | undefined;

/**
 * The settled answer of `redisAvailable()`. Test files await `redisAvailable()` at top level
 * (Node 20 misplaces tests registered after an await in two suites at once), then suites read this.
 */
export function redisUp(): boolean {
  if (known === undefined) throw new Error("await redisAvailable() at the top of the test file first");
  return known;
}

/** Whether the Redis half can run. Under CI an unreachable Redis is a failure, not a skip. */
export function redisAvailable(): Promise<boolean> {
  reachable ??= (async () => {
    const r = new Redis(REDIS_TEST_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    r.on("error", () => {});
    try {
      await r.connect();
      await r.ping();
      known = true;
      return true;
    } catch (err) {
      if (process.env.CI)
        throw new Error(`Redis is required under CI but unreachable at ${REDIS_TEST_URL}: ${err}`);
      console.log(`# notice: Redis unreachable at ${REDIS_TEST_URL}; skipping the Redis variants`);
      known = false;
      return false;
    } finally {
      r.disconnect();
    }
  })();
  return reachable;
}

/** A key prefix no other test run uses, so parallel runs on one Redis never collide. */
export function freshRedisPrefix(): string {
  return `gh-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
}

/** Delete every key under `prefix` (their TTLs would remove them anyway). */
export async function dropRedisPrefix(prefix: string, url = REDIS_TEST_URL): Promise<void> {
  const r = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== "0");
  } finally {
    r.disconnect();
  }
}

/** Keys under `prefix` with their remaining TTL in ms (-1: none). */
export async function redisKeys(prefix: string, url = REDIS_TEST_URL): Promise<Map<string, number>> {
  const r = new Redis(url);
  try {
    const keys = await r.keys(`${prefix}*`);
    const out = new Map<string, number>();
    for (const k of keys) out.set(k.slice(prefix.length), await r.pttl(k));
    return out;
  } finally {
    r.disconnect();
  }
}
