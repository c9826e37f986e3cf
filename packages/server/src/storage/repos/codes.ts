import { type Insertable, PostgresAdapter, type Selectable } from "kysely";
import type { VerificationCodeTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { affectedRows, compiled } from "./compiled.js";
import type { Executor } from "./executor.js";

export type CodeRow = Selectable<VerificationCodeTable>;
export type NewCodeRow = Insertable<VerificationCodeTable>;

/** Counts one attempt on every live code of the target on these channels and returns them. */
const reserveLive = compiled(
  "codes.reserveLive",
  (db, poolId: string, kind: string, target: string, channels: readonly string[], now: number) =>
    db
      .updateTable("verification_codes")
      .set((eb) => ({ attempts: eb("attempts", "+", eb.lit(1)) }))
      .where("pool_id", "=", poolId)
      .where("kind", "=", kind)
      .where("target", "=", target)
      .where("channel", "in", channels)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .where((eb) => eb("attempts", "<", eb.ref("max_attempts")))
      .returningAll(),
);
const releaseAttempts = compiled("codes.releaseAttempts", (db, ids: readonly string[]) =>
  db
    .updateTable("verification_codes")
    .set((eb) => ({ attempts: eb("attempts", "-", eb.lit(1)) }))
    .where("id", "in", ids)
    .where((eb) => eb("attempts", ">", eb.lit(0))),
);
const consumeLive = compiled("codes.consume", (db, now: number, ids: readonly string[], stillNow: number) =>
  db
    .updateTable("verification_codes")
    .set({ consumed_at: now })
    .where("id", "in", ids)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", stillNow)
    .where((eb) => eb("attempts", "<", eb.ref("max_attempts"))),
);

/** Spends codes reserved earlier in the same transaction, giving their attempt back. */
const spendReserved = compiled("codes.spendReserved", (db, now: number, ids: readonly string[]) =>
  db
    .updateTable("verification_codes")
    .set((eb) => ({ consumed_at: now, attempts: eb("attempts", "-", eb.lit(1)) }))
    .where("id", "in", ids)
    .where("consumed_at", "is", null),
);

/**
 * Verification codes. "Live" = not consumed, not expired, attempts left. Every guard is part of
 * the UPDATE itself so concurrent requests cannot race past it (on SQLite and PostgreSQL).
 */
export function codesRepo(db: Executor) {
  return {
    /** Issue a code; replaces the binding's previous code in place (new id, attempts reset). */
    async upsertCode(row: NewCodeRow): Promise<void> {
      await db
        .insertInto("verification_codes")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["pool_id", "kind", "target", "channel"]).doUpdateSet((eb) => ({
            id: eb.ref("excluded.id"),
            code_hash: eb.ref("excluded.code_hash"),
            attempts: 0,
            max_attempts: eb.ref("excluded.max_attempts"),
            expires_at: eb.ref("excluded.expires_at"),
            consumed_at: null,
            created_at: eb.ref("excluded.created_at"),
          })),
        )
        .execute();
    },

    /** Whether the target holds a live code on a channel other than `except`. */
    async hasLiveCode(
      poolId: string,
      kind: string,
      target: string,
      now: number,
      except: readonly string[],
    ): Promise<boolean> {
      let q = db
        .selectFrom("verification_codes")
        .select("id")
        .where("pool_id", "=", poolId)
        .where("kind", "=", kind)
        .where("target", "=", target);
      if (except.length > 0) q = q.where("channel", "not in", except);
      const row = await q
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .where((eb) => eb("attempts", "<", eb.ref("max_attempts")))
        .executeTakeFirst();
      return row !== undefined;
    },

    /**
     * Count one attempt on each live code of the target on `channels`, in one statement, and
     * return those codes (attempt counted). Dead codes are neither counted nor returned.
     */
    async reserveCodeAttempts(
      poolId: string,
      kind: string,
      target: string,
      channels: readonly string[],
      now: number,
    ): Promise<CodeRow[]> {
      if (channels.length === 0) return [];
      return (await reserveLive(db, poolId, kind, target, channels, now)).rows;
    },

    /** Give back the attempts reserved by a guess that turned out right. */
    async releaseCodeAttempts(ids: readonly string[]): Promise<void> {
      if (ids.length > 0) await releaseAttempts(db, ids);
    },

    /** Spend live codes; returns how many were spent (the caller wants all of them). */
    async consumeCodes(ids: readonly string[], now: number): Promise<number> {
      if (ids.length === 0) return 0;
      return affectedRows(await consumeLive(db, now, ids, now));
    },

    /**
     * Spend codes this transaction reserved (their rows are locked to it, so they are still live):
     * the reservation is given back, as for a right guess. Returns how many were spent.
     */
    async spendReservedCodes(ids: readonly string[], now: number): Promise<number> {
      if (ids.length === 0) return 0;
      return affectedRows(await spendReserved(db, now, ids));
    },

    /** spendReservedCodes for an all-or-nothing batch: every code spent, or the batch undone. */
    spendReservedCodesStep(ids: readonly string[], now: number): Step {
      return { query: spendReserved.compile(db, now, ids), expectRows: ids.length };
    },
    /** releaseCodeAttempts for an all-or-nothing batch. */
    releaseCodeAttemptsStep(ids: readonly string[]): Step {
      return { query: releaseAttempts.compile(db, ids) };
    },

    async purgeCodesExpiredBefore(before: number): Promise<number> {
      const r = await db.deleteFrom("verification_codes").where("expires_at", "<", before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

/** One check's live codes to reserve: the target's codes on any of `channels`. */
export interface CodeReservation {
  poolId: string;
  kind: string;
  target: string;
  channels: readonly string[];
}

/**
 * Counts one attempt on the live codes of several targets in one statement and returns them.
 * On PostgreSQL the rows are locked in (pool, kind, target) order first, as in every other
 * reservation, so two requests naming the same two targets the other way round cannot deadlock.
 */
export async function reserveCodeAttemptsOf(
  db: Executor,
  reservations: readonly CodeReservation[],
  now: number,
): Promise<CodeRow[]> {
  const wanted = reservations.filter((r) => r.channels.length > 0);
  if (wanted.length === 0) return [];
  const groups = wanted.map((r) => [r.poolId, r.kind, r.target, ...r.channels]);
  return (await reserveLiveOf(db, now, ...groups)).rows;
}

/**
 * reserveCodeAttemptsOf's statement, compiled once per shape: each group is
 * `[poolId, kind, target, ...channels]`, so the shape (the groups' lengths) fixes the SQL.
 */
const reserveLiveOf = compiled("codes.reserveLiveOf", (db, now: number, ...groups: string[][]) => {
  const locking = db.getExecutor().adapter instanceof PostgresAdapter;
  return db
    .updateTable("verification_codes")
    .set((eb) => ({ attempts: eb("attempts", "+", eb.lit(1)) }))
    .where("id", "in", (eb) => {
      const live = eb
        .selectFrom("verification_codes")
        .select("id")
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .where((w) => w("attempts", "<", w.ref("max_attempts")))
        .where((w) =>
          w.or(
            groups.map(([poolId, kind, target, ...channels]) =>
              w.and([
                w("pool_id", "=", poolId!),
                w("kind", "=", kind!),
                w("target", "=", target!),
                w("channel", "in", channels),
              ]),
            ),
          ),
        )
        .orderBy("pool_id")
        .orderBy("kind")
        .orderBy("target")
        .orderBy("id");
      return locking ? live.forUpdate() : live;
    })
    .returningAll();
});
