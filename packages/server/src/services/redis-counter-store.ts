import type { Redis } from "../storage/redis.js";
import { redisCall } from "../storage/redis.js";
import type { CounterStore } from "./counter-store.js";

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
