import type { Selectable } from "kysely";
import type { MfaFactorTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";
import { counterAsOf } from "./login-counters.js";

export type MfaFactorRow = Selectable<MfaFactorTable>;

/** The OTP factor of a user, read on every TOTP check (the hot path of docs/mfa.md). */
const findByType = compiled("mfaFactors.findByType", (db, poolId: string, userId: string, type: string) =>
  db
    .selectFrom("mfa_factors")
    .selectAll()
    .where("pool_id", "=", poolId)
    .where("user_id", "=", userId)
    .where("factor_type", "=", type),
);

/**
 * The same factor and, in the same statement, the user's MFA attempt counter (`rate_buckets`, when
 * the counters live in the database): a TOTP check reads both (docs/mfa.md §Attempts), and on
 * PostgreSQL two reads are two round trips.
 */
const findByTypeWithCounter = compiled(
  "mfaFactors.findByTypeWithCounter",
  (db, counterKey: string, poolId: string, userId: string, type: string) =>
    db
      .selectFrom("mfa_factors")
      .leftJoin("rate_buckets", (join) => join.on("rate_buckets.key", "=", counterKey))
      .selectAll("mfa_factors")
      .select(["rate_buckets.hits as counter_hits", "rate_buckets.expires_at as counter_expires_at"])
      .where("mfa_factors.pool_id", "=", poolId)
      .where("mfa_factors.user_id", "=", userId)
      .where("mfa_factors.factor_type", "=", type),
);

/**
 * Claims a TOTP time step: only a step after the last one accepted moves it, so of two parallel
 * requests with the same code (on any nodes) exactly one sees a row updated.
 */
const claimStep = compiled(
  "mfaFactors.claimStep",
  (db, step: number, now: number, id: string, stillStep: number) =>
    db
      .updateTable("mfa_factors")
      .set({ last_step: step, last_verified_at: now })
      .where("id", "=", id)
      .where("last_step", "<", stillStep),
);

/** A user's factors, read on every authorization request of a pool whose MFA policy is on (docs/performance.md, "The code flow"). */
const listByUser = compiled("mfaFactors.listByUser", (db, poolId: string, userId: string) =>
  db
    .selectFrom("mfa_factors")
    .selectAll()
    .where("pool_id", "=", poolId)
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id"),
);

export function mfaFactorsRepo(db: Executor) {
  return {
    async listUserFactors(poolId: string, userId: string): Promise<MfaFactorRow[]> {
      return (await listByUser(db, poolId, userId)).rows;
    },
    async findUserFactor(
      poolId: string,
      userId: string,
      factorId: string,
    ): Promise<MfaFactorRow | undefined> {
      return db
        .selectFrom("mfa_factors")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("id", "=", factorId)
        .executeTakeFirst();
    },
    async findUserFactorByType(
      poolId: string,
      userId: string,
      type: string,
    ): Promise<MfaFactorRow | undefined> {
      return firstRow(await findByType(db, poolId, userId, type));
    },
    /**
     * A user's factor of one type and the attempt counter under `counterKey` as it stands `now`
     * (an expired window reads 0), in one statement.
     */
    async findUserFactorByTypeWithCounter(
      poolId: string,
      userId: string,
      type: string,
      counterKey: string,
      now: number,
    ): Promise<{ factor: MfaFactorRow; counter: { count: number; expiresAt: number } } | undefined> {
      const row = firstRow(await findByTypeWithCounter(db, counterKey, poolId, userId, type));
      if (!row) return undefined;
      const { counter_hits, counter_expires_at, ...factor } = row;
      return { factor, counter: counterAsOf({ hits: counter_hits, expires_at: counter_expires_at }, now) };
    },
    /** Inserts a factor; a unique violation means the user has this type already. */
    async insertFactor(row: MfaFactorRow): Promise<void> {
      await db.insertInto("mfa_factors").values(row).execute();
    },
    /** The step claim (claimStep) as the first step of a verification's all-or-nothing batch: it must move the step. */
    claimTotpStepStep: (id: string, step: number, now: number): Step => ({
      query: claimStep.compile(db, step, now, id, step),
      expectRows: 1,
    }),
    /** Replaces the recovery code only if it is still the one just checked (used once): a step that must touch the row. */
    rotateRecoveryHashStep: (id: string, oldHash: string, newHash: string, now: number): Step => ({
      query: db
        .updateTable("mfa_factors")
        .set({ recovery_hash: newHash, last_verified_at: now })
        .where("id", "=", id)
        .where("recovery_hash", "=", oldHash)
        .compile(),
      expectRows: 1,
    }),
    /** A new recovery code replaces the old one, whatever it was (the user asked for a new one). */
    async replaceRecoveryHash(poolId: string, userId: string, id: string, newHash: string): Promise<number> {
      const r = await db
        .updateTable("mfa_factors")
        .set({ recovery_hash: newHash })
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async markFactorVerified(id: string, now: number): Promise<void> {
      await db.updateTable("mfa_factors").set({ last_verified_at: now }).where("id", "=", id).execute();
    },
    async deleteUserFactor(poolId: string, userId: string, factorId: string): Promise<number> {
      const r = await db
        .deleteFrom("mfa_factors")
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("id", "=", factorId)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async deleteUserFactors(poolId: string, userId: string): Promise<number> {
      const r = await db
        .deleteFrom("mfa_factors")
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async countUserFactors(poolId: string, userId: string): Promise<number> {
      const r = await db
        .selectFrom("mfa_factors")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
