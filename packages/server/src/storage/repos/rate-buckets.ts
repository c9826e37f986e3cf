import { sql } from "kysely";
import { allOrNothing, StepFailed } from "./all-or-nothing.js";
import type { Executor } from "./executor.js";

/** A counter that holds at most `limit` hits in a window starting at its first hit. */
export interface Bucket {
  key: string;
  limit: number;
  windowMs: number;
}

export function rateBucketsRepo(db: Executor) {
  /** One atomic statement: start a new window, add a hit, or return nothing when full. */
  function takeBucket(b: Bucket, now: number) {
    return db
      .insertInto("rate_buckets")
      .values({ key: b.key, hits: 1, expires_at: now + b.windowMs })
      .onConflict((oc) =>
        oc
          .column("key")
          .doUpdateSet({
            hits: sql`CASE WHEN rate_buckets.expires_at <= ${now} THEN 1 ELSE rate_buckets.hits + 1 END`,
            expires_at: sql`CASE WHEN rate_buckets.expires_at <= ${now} THEN excluded.expires_at ELSE rate_buckets.expires_at END`,
          })
          .where((eb) =>
            eb.or([eb("rate_buckets.expires_at", "<=", now), eb("rate_buckets.hits", "<", b.limit)]),
          ),
      )
      .returning("hits")
      .compile();
  }

  return {
    /**
     * Take one hit from every bucket, or from none (all or nothing, one round trip on
     * PostgreSQL): returns the index of the first full bucket, or undefined when all were taken.
     * Callers list keys in a fixed order (narrow to wide) so concurrent takes lock rows in the
     * same order.
     */
    async takeBuckets(buckets: readonly Bucket[], now: number): Promise<number | undefined> {
      if (buckets.length === 0) return undefined;
      try {
        await allOrNothing(
          db,
          buckets.map((b) => ({ query: takeBucket(b, now), expectRows: 1 })),
        );
        return undefined;
      } catch (err) {
        if (err instanceof StepFailed) return err.index;
        throw err;
      }
    },

    async purgeExpiredBuckets(now: number): Promise<number> {
      const r = await db.deleteFrom("rate_buckets").where("expires_at", "<=", now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
