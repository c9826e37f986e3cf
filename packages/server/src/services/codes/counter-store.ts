import type { Repositories } from "../../storage/repos/index.js";
import type { Bucket } from "../../storage/repos/rate-buckets.js";

export type { Bucket };

/**
 * Shared counters behind cooldowns and hourly caps. Kept this narrow so a Redis implementation
 * (a Lua script doing the same all-or-nothing take) drops in for the database one.
 */
export interface CounterStore {
  /** Take one hit from every bucket or from none; returns the index of the first full bucket. */
  take(buckets: readonly Bucket[], now: number): Promise<number | undefined>;
  /** Forget expired windows. */
  purge(now: number): Promise<void>;
}

export function dbCounterStore(repos: Pick<Repositories, "rateBuckets">): CounterStore {
  return {
    take: (buckets, now) => repos.rateBuckets.takeBuckets(buckets, now),
    purge: async (now) => {
      await repos.rateBuckets.purgeExpiredBuckets(now);
    },
  };
}
