import type { Insertable, Selectable } from "kysely";
import type { VerificationCodeTable } from "../schema.js";
import { affectedRows, compiled } from "./compiled.js";
import type { Executor } from "./executor.js";

export type CodeRow = Selectable<VerificationCodeTable>;
export type NewCodeRow = Insertable<VerificationCodeTable>;

const liveCodes = compiled(
  "codes.live",
  (db, poolId: string, kind: string, target: string, channels: readonly string[], now: number) =>
    db
      .selectFrom("verification_codes")
      .selectAll()
      .where("pool_id", "=", poolId)
      .where("kind", "=", kind)
      .where("target", "=", target)
      .where("channel", "in", channels)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .where((eb) => eb("attempts", "<", eb.ref("max_attempts"))),
);
const reserveAttempt = compiled("codes.reserveAttempt", (db, id: string, now: number) =>
  db
    .updateTable("verification_codes")
    .set((eb) => ({ attempts: eb("attempts", "+", eb.lit(1)) }))
    .where("id", "=", id)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", now)
    .where((eb) => eb("attempts", "<", eb.ref("max_attempts"))),
);
const releaseAttempt = compiled("codes.releaseAttempt", (db, id: string) =>
  db
    .updateTable("verification_codes")
    .set((eb) => ({ attempts: eb("attempts", "-", eb.lit(1)) }))
    .where("id", "=", id)
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

    async findLiveCodes(
      poolId: string,
      kind: string,
      target: string,
      channels: readonly string[],
      now: number,
    ): Promise<CodeRow[]> {
      if (channels.length === 0) return [];
      return (await liveCodes(db, poolId, kind, target, channels, now)).rows;
    },

    /** Whether the target holds a live code on any channel. */
    async hasLiveCode(poolId: string, kind: string, target: string, now: number): Promise<boolean> {
      const row = await db
        .selectFrom("verification_codes")
        .select("id")
        .where("pool_id", "=", poolId)
        .where("kind", "=", kind)
        .where("target", "=", target)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .where((eb) => eb("attempts", "<", eb.ref("max_attempts")))
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Count one attempt while the code is live; false when it is dead (or was replaced). */
    async reserveCodeAttempt(id: string, now: number): Promise<boolean> {
      return affectedRows(await reserveAttempt(db, id, now)) === 1;
    },

    /** Give back an attempt reserved by a guess that turned out right. */
    async releaseCodeAttempt(id: string): Promise<void> {
      await releaseAttempt(db, id);
    },

    /** Spend live codes; returns how many were spent (the caller wants all of them). */
    async consumeCodes(ids: readonly string[], now: number): Promise<number> {
      if (ids.length === 0) return 0;
      return affectedRows(await consumeLive(db, now, ids, now));
    },

    async purgeCodesExpiredBefore(before: number): Promise<number> {
      const r = await db.deleteFrom("verification_codes").where("expires_at", "<", before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
