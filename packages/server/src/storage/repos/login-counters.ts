import { sql } from "kysely";
import type { Executor } from "./executor.js";

/**
 * Fixed-window counters behind lockout. A counter that reaches its limit restarts its window at
 * that moment (once), so the lock lasts one full window whatever happens meanwhile.
 * Rows share `rate_buckets` with the code engine's limits (keys are prefixed, expired rows are
 * purged by it). Issue 8 puts the same interface on Redis.
 */
export function loginCountersRepo(db: Executor) {
  return {
    /** Atomically counts one failure; returns the count inside the current window and its end. */
    async hitLoginCounter(
      key: string,
      windowMs: number,
      limit: number,
      now: number,
    ): Promise<{ count: number; expiresAt: number }> {
      const fresh = now + windowMs;
      const row = await db
        .insertInto("rate_buckets")
        .values({ key, hits: 1, expires_at: fresh })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({
            hits: sql<number>`CASE WHEN rate_buckets.expires_at <= ${now} THEN 1 ELSE rate_buckets.hits + 1 END`,
            expires_at: sql<number>`CASE
              WHEN rate_buckets.expires_at <= ${now} THEN ${fresh}
              WHEN rate_buckets.hits + 1 = ${limit} THEN ${fresh}
              ELSE rate_buckets.expires_at END`,
          }),
        )
        .returning(["hits", "expires_at"])
        .executeTakeFirstOrThrow();
      return { count: Number(row.hits), expiresAt: Number(row.expires_at) };
    },
    /** The live count (0 once the window has passed). */
    async readLoginCounter(key: string, now: number): Promise<{ count: number; expiresAt: number }> {
      const row = await db
        .selectFrom("rate_buckets")
        .select(["hits", "expires_at"])
        .where("key", "=", key)
        .executeTakeFirst();
      if (!row || Number(row.expires_at) <= now) return { count: 0, expiresAt: 0 };
      return { count: Number(row.hits), expiresAt: Number(row.expires_at) };
    },
    /** Gives one count back (an attempt that turned out fine, or was refused unchecked). */
    async releaseLoginCounter(key: string, now: number): Promise<void> {
      await db
        .updateTable("rate_buckets")
        .set({ hits: sql<number>`hits - 1` })
        .where("key", "=", key)
        .where("hits", ">", 0)
        .where("expires_at", ">", now)
        .execute();
    },
    async clearLoginCounter(key: string): Promise<void> {
      await db.deleteFrom("rate_buckets").where("key", "=", key).execute();
    },
  };
}
