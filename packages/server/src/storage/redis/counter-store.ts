import type { LoginCounterStore } from "../../services/auth/lockout.js";
import type { CounterStore } from "../../services/codes/counter-store.js";
import type { Redis } from "./client.js";
import { redisCall } from "./client.js";

/**
 * The all-or-nothing take of `rateBucketsRepo.takeBuckets`, as one Lua script (atomic in Redis):
 * first look whether any bucket is full, then take a hit from every one. A bucket is a hash
 * {h: hits, e: window end (the caller's clock, epoch ms)}, and carries a TTL of its window so
 * Redis forgets it by itself. KEYS = buckets; ARGV = now, then limit and windowMs per bucket.
 * Returns the 0-based index of the first full bucket, or -1 when every hit was taken.
 */
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'h', 'e')
  local hits, ends = tonumber(v[1]), tonumber(v[2])
  if hits and ends and ends > now and hits >= tonumber(ARGV[2 * i]) then return i - 1 end
end
for i = 1, #KEYS do
  local window = tonumber(ARGV[2 * i + 1])
  local ends = tonumber(redis.call('HGET', KEYS[i], 'e'))
  if ends and ends > now then
    redis.call('HINCRBY', KEYS[i], 'h', 1)
  else
    redis.call('HSET', KEYS[i], 'h', 1, 'e', now + window)
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
return -1
`;

type TakeCommand = { ghTakeBuckets(numKeys: number, ...keysThenArgs: string[]): Promise<number> };

export function redisCounterStore(redis: Redis): CounterStore {
  // EVALSHA, loading the script on first use and after a Redis restart.
  redis.defineCommand("ghTakeBuckets", { lua: TAKE_SCRIPT });
  const take = redis as unknown as TakeCommand;
  return {
    async take(buckets, now) {
      if (buckets.length === 0) return undefined;
      const keys = buckets.map((b) => `bucket:${b.key}`);
      const args = buckets.flatMap((b) => [String(b.limit), String(b.windowMs)]);
      const full = await redisCall(() => take.ghTakeBuckets(keys.length, ...keys, String(now), ...args));
      return full < 0 ? undefined : full;
    },
    // Windows expire by their TTL.
    async purge() {},
  };
}

/**
 * `login-counters.ts`'s hit in Redis: a new window on the first hit (or after the window ended),
 * else one more hit; reaching `limit` restarts the window once (the lock lasts a full window).
 * KEYS[1] = counter; ARGV = now, windowMs, limit. Returns {count, window end}.
 */
const LOGIN_HIT_SCRIPT = `
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 'h', 'e')
local hits, ends = tonumber(v[1]), tonumber(v[2])
if not hits or not ends or ends <= now then
  hits, ends = 1, now + window
else
  hits = hits + 1
  if hits == limit then ends = now + window end
end
redis.call('HSET', KEYS[1], 'h', hits, 'e', ends)
redis.call('PEXPIRE', KEYS[1], math.max(1, ends - now))
return {hits, ends}
`;

/** One count back while the window is open. KEYS[1] = counter; ARGV = now. */
const LOGIN_RELEASE_SCRIPT = `
local v = redis.call('HMGET', KEYS[1], 'h', 'e')
local hits, ends = tonumber(v[1]), tonumber(v[2])
if hits and ends and hits > 0 and ends > tonumber(ARGV[1]) then redis.call('HINCRBY', KEYS[1], 'h', -1) end
return 0
`;

type LoginCommands = {
  ghLoginHit(key: string, now: string, windowMs: string, limit: string): Promise<[number, number]>;
  ghLoginRelease(key: string, now: string): Promise<number>;
};

/** The sign-in lockout counters (services/login-guard.ts) in Redis. */
export function redisLoginCounterStore(redis: Redis): LoginCounterStore {
  redis.defineCommand("ghLoginHit", { numberOfKeys: 1, lua: LOGIN_HIT_SCRIPT });
  redis.defineCommand("ghLoginRelease", { numberOfKeys: 1, lua: LOGIN_RELEASE_SCRIPT });
  const cmd = redis as unknown as LoginCommands;
  const key = (k: string) => `login:${k}`;
  return {
    async hit(k, windowMs, limit, now) {
      const [count, expiresAt] = await redisCall(() =>
        cmd.ghLoginHit(key(k), String(now), String(windowMs), String(limit)),
      );
      return { count: Number(count), expiresAt: Number(expiresAt) };
    },
    async release(k, now) {
      await redisCall(() => cmd.ghLoginRelease(key(k), String(now)));
    },
    async read(k, now) {
      const [hits, ends] = await redisCall(() => redis.hmget(key(k), "h", "e"));
      if (hits === null || ends === null || Number(ends) <= now) return { count: 0, expiresAt: 0 };
      return { count: Number(hits), expiresAt: Number(ends) };
    },
    async clear(k) {
      await redisCall(() => redis.del(key(k)));
    },
  };
}
