import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";
import type { Executor } from "./executor.js";

/** A counter that holds at most `limit` hits in a window starting at its first hit. */
export interface Bucket {
  key: string;
  limit: number;
  windowMs: number;
}

class BucketFull extends Error {
  constructor(readonly index: number) {
    super("bucket full");
  }
}

export function rateBucketsRepo(db: Executor) {
  /** One atomic statement: start a new window, add a hit, or return nothing when full. */
  async function takeBucket(trx: Executor, b: Bucket, now: number): Promise<boolean> {
    const row = await trx
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
      .executeTakeFirst();
    return row !== undefined;
  }

  return {
    /**
     * Take one hit from every bucket, or from none (one transaction): returns the index of the
     * first full bucket, or undefined when all were taken. Callers list keys in a fixed order
     * (narrow to wide) so concurrent transactions lock rows in the same order.
     */
    async takeBuckets(buckets: readonly Bucket[], now: number): Promise<number | undefined> {
      const run = async (trx: Executor) => {
        for (const [i, b] of buckets.entries()) {
          if (!(await takeBucket(trx, b, now))) throw new BucketFull(i);
        }
      };
      try {
        if (db.isTransaction) await run(db);
        else await (db as Kysely<Database>).transaction().execute(run);
        return undefined;
      } catch (err) {
        if (err instanceof BucketFull) return err.index;
        throw err;
      }
    },

    async purgeExpiredBuckets(now: number): Promise<number> {
      const r = await db.deleteFrom("rate_buckets").where("expires_at", "<=", now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
