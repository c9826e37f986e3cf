import { sql } from "kysely";
import { allOrNothing, type Step } from "./all-or-nothing.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";

/**
 * One failure counted (`now` twice and `fresh` once, in SQL order): a window that has passed
 * starts again at 1, and the hit that reaches `limit` restarts the window (the lock's full length).
 */
const hitCounter = compiled(
  "loginCounters.hit",
  (db, key: string, fresh: number, now: number, stillNow: number, limit: number) =>
    db
      .insertInto("rate_buckets")
      .values({ key, hits: sql<number>`1`, expires_at: fresh })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          hits: sql<number>`CASE WHEN rate_buckets.expires_at <= ${now} THEN 1 ELSE rate_buckets.hits + 1 END`,
          expires_at: sql<number>`CASE
            WHEN rate_buckets.expires_at <= ${stillNow} THEN excluded.expires_at
            WHEN rate_buckets.hits + 1 = ${limit} THEN excluded.expires_at
            ELSE rate_buckets.expires_at END`,
        }),
      )
      .returning(["hits", "expires_at"]),
);
const readCounter = compiled("loginCounters.read", (db, key: string) =>
  db.selectFrom("rate_buckets").select(["hits", "expires_at"]).where("key", "=", key),
);
const releaseCounter = compiled("loginCounters.release", (db, key: string, now: number) =>
  db
    .updateTable("rate_buckets")
    .set({ hits: sql<number>`hits - 1` })
    .where("key", "=", key)
    .where((eb) => eb("hits", ">", eb.lit(0)))
    .where("expires_at", ">", now),
);
const clearCounter = compiled("loginCounters.clear", (db, key: string) =>
  db.deleteFrom("rate_buckets").where("key", "=", key),
);

/**
 * Fixed-window counters behind lockout. A counter that reaches its limit restarts its window at
 * that moment (once), so the lock lasts one full window whatever happens meanwhile.
 * Rows share `rate_buckets` with the code engine's limits (keys are prefixed, expired rows are
 * purged by it). Issue 8 puts the same interface on Redis.
 */
/** A counter row as it stands at `now`: an expired window (or no row) counts 0. */
export function counterAsOf(
  row: { hits: number | string | bigint | null; expires_at: number | string | bigint | null } | undefined,
  now: number,
): { count: number; expiresAt: number } {
  if (!row || row.hits === null || Number(row.expires_at) <= now) return { count: 0, expiresAt: 0 };
  return { count: Number(row.hits), expiresAt: Number(row.expires_at) };
}

export function loginCountersRepo(db: Executor) {
  return {
    /** Atomically counts one failure; returns the count inside the current window and its end. */
    async hitLoginCounter(
      key: string,
      windowMs: number,
      limit: number,
      now: number,
    ): Promise<{ count: number; expiresAt: number }> {
      const row = firstRow(await hitCounter(db, key, now + windowMs, now, now, limit));
      if (!row) throw new Error("the counter upsert returned no row");
      return { count: Number(row.hits), expiresAt: Number(row.expires_at) };
    },
    /** hitLoginCounter for several counters (different keys) at once: one round trip on PostgreSQL. */
    async hitLoginCounters(
      hits: readonly { key: string; windowMs: number; limit: number }[],
      now: number,
    ): Promise<{ count: number; expiresAt: number }[]> {
      const rows = await allOrNothing(
        db,
        hits.map((h) => ({
          query: hitCounter.compile(db, h.key, now + h.windowMs, now, now, h.limit),
          rows: true,
        })),
      );
      return rows.map((r) => {
        const row = r[0] as { hits: number | string; expires_at: number | string } | undefined;
        if (!row) throw new Error("the counter upsert returned no row");
        return { count: Number(row.hits), expiresAt: Number(row.expires_at) };
      });
    },
    /** releaseLoginCounter as a step of a caller's all-or-nothing batch. */
    releaseLoginCounterStep: (key: string, now: number): Step => ({
      query: releaseCounter.compile(db, key, now),
    }),
    /** clearLoginCounter as a step of a caller's all-or-nothing batch. */
    clearLoginCounterStep: (key: string): Step => ({ query: clearCounter.compile(db, key) }),
    /** The live count (0 once the window has passed). */
    async readLoginCounter(key: string, now: number): Promise<{ count: number; expiresAt: number }> {
      return counterAsOf(firstRow(await readCounter(db, key)), now);
    },
    /** Gives one count back (an attempt that turned out fine, or was refused unchecked). */
    async releaseLoginCounter(key: string, now: number): Promise<void> {
      await releaseCounter(db, key, now);
    },
    async clearLoginCounter(key: string): Promise<void> {
      await clearCounter(db, key);
    },
  };
}
