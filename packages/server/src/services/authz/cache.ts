import type { Clock } from "../../lib/clock.js";
import type { Grants } from "./evaluate.js";

export interface GrantsCacheOptions {
  clock: Clock;
  /** How long an entry is trusted at most (default 900 ms). */
  ttlMs?: number;
  /** Entries kept at most; past it the cache starts over (default 100,000). */
  maxEntries?: number;
}

/** How often expired entries are looked for at most (at the TTL when it is longer). */
const SWEEP_MS = 10_000;

interface Entry<V> {
  grants: V;
  expiresAt: number;
}

/**
 * A user's folded grants per namespace (docs/authorization.md §Cache). Staleness rule: an entry is
 * used for at most `ttlMs` and never past the first moment a role assignment or role of the user
 * starts or ends, and every authorization write of the pool drops all of the pool's entries — on this
 * node at once, on the others when the broadcast arrives.
 */
export function createGrantsCache<V = Grants>({
  clock,
  ttlMs = 900,
  maxEntries = 100_000,
}: GrantsCacheOptions) {
  const pools = new Map<string, Map<string, Entry<V>>>();
  const inflight = new Map<string, Promise<V>>();
  /** Bumped on every forget: a load that started before it must not fill the cache. */
  const generations = new Map<string, number>();
  let size = 0;
  /** Expired entries are dropped by a sweep, so grants read under load do not stay for the process's life. */
  let sweepDue = false;

  function dropExpired(): void {
    sweepDue = false;
    const now = clock.now();
    for (const [poolId, entries] of pools) {
      for (const [key, entry] of entries) {
        if (entry.expiresAt > now) continue;
        entries.delete(key);
        size--;
      }
      if (entries.size === 0) pools.delete(poolId);
    }
    if (size > 0) scheduleSweep();
  }

  function scheduleSweep(): void {
    if (sweepDue) return;
    sweepDue = true;
    setTimeout(dropExpired, Math.max(ttlMs, SWEEP_MS)).unref();
  }

  function forgetPool(poolId: string): void {
    generations.set(poolId, (generations.get(poolId) ?? 0) + 1);
    const entries = pools.get(poolId);
    if (entries) size -= entries.size;
    pools.delete(poolId);
    for (const key of inflight.keys()) if (key.startsWith(`${poolId}\u0000`)) inflight.delete(key);
  }

  function store(poolId: string, key: string, entry: Entry<V>): void {
    if (size >= maxEntries) {
      pools.clear();
      size = 0;
    }
    let entries = pools.get(poolId);
    if (!entries) {
      entries = new Map();
      pools.set(poolId, entries);
    }
    if (!entries.has(key)) size++;
    entries.set(key, entry);
    scheduleSweep();
  }

  return {
    /** The cached grants, or `load`'s (one load per key at a time). */
    async get(
      poolId: string,
      key: string,
      load: () => Promise<{ grants: V; validUntil: number }>,
    ): Promise<V> {
      const now = clock.now();
      const hit = pools.get(poolId)?.get(key);
      if (hit && hit.expiresAt > now) return hit.grants;
      const flightKey = `${poolId}\u0000${key}`;
      const running = inflight.get(flightKey);
      if (running) return running;
      const generation = generations.get(poolId) ?? 0;
      const p = load().then(
        ({ grants, validUntil }) => {
          if (inflight.get(flightKey) === p) inflight.delete(flightKey);
          if ((generations.get(poolId) ?? 0) === generation)
            store(poolId, key, { grants, expiresAt: Math.min(now + ttlMs, validUntil) });
          return grants;
        },
        (err) => {
          if (inflight.get(flightKey) === p) inflight.delete(flightKey);
          throw err;
        },
      );
      inflight.set(flightKey, p);
      return p;
    },
    forgetPool,
    /** How long an entry is trusted at most. */
    ttlMs,
    get size() {
      return size;
    },
  };
}

export type GrantsCache<V = Grants> = ReturnType<typeof createGrantsCache<V>>;
