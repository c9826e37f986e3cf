import { sql } from "kysely";
import type { Executor } from "./executor.js";

/**
 * Fixed-window counters behind lockout. A counter that reaches its limit restarts its window at
 * that moment (once), so the lock lasts one full window whatever happens meanwhile.
 * Issue 8 puts the same interface on Redis.
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
        .insertInto("login_counters")
        .values({ key, count: 1, expires_at: fresh })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({
            count: sql<number>`CASE WHEN login_counters.expires_at <= ${now} THEN 1 ELSE login_counters.count + 1 END`,
            expires_at: sql<number>`CASE
              WHEN login_counters.expires_at <= ${now} THEN ${fresh}
              WHEN login_counters.count + 1 = ${limit} THEN ${fresh}
              ELSE login_counters.expires_at END`,
          }),
        )
        .returning(["count", "expires_at"])
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), expiresAt: Number(row.expires_at) };
    },
    /** The live count (0 once the window has passed). */
    async readLoginCounter(key: string, now: number): Promise<{ count: number; expiresAt: number }> {
      const row = await db
        .selectFrom("login_counters")
        .select(["count", "expires_at"])
        .where("key", "=", key)
        .executeTakeFirst();
      if (!row || Number(row.expires_at) <= now) return { count: 0, expiresAt: 0 };
      return { count: Number(row.count), expiresAt: Number(row.expires_at) };
    },
    /** Gives one count back (an attempt that turned out fine, or was refused unchecked). */
    async releaseLoginCounter(key: string, now: number): Promise<void> {
      await db
        .updateTable("login_counters")
        .set({ count: sql<number>`count - 1` })
        .where("key", "=", key)
        .where("count", ">", 0)
        .where("expires_at", ">", now)
        .execute();
    },
    async clearLoginCounter(key: string): Promise<void> {
      await db.deleteFrom("login_counters").where("key", "=", key).execute();
    },
  };
}
