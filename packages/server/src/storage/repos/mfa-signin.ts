import type { Step } from "./all-or-nothing.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";

/** A user's own MFA switches, read with the factors on every authorization request of a pool whose MFA policy is on. */
const userMfaStatus = compiled("mfaUserStatus.byUser", (db, poolId: string, userId: string) =>
  db
    .selectFrom("mfa_user_status")
    .select("trigger_data")
    .where("pool_id", "=", poolId)
    .where("user_id", "=", userId),
);

/** Spent MFA tokens and per-user MFA trigger data (migration 0015, docs/mfa.md). */
export function mfaSigninRepo(db: Executor) {
  return {
    async isMfaTokenSpent(jti: string): Promise<boolean> {
      const row = await db
        .selectFrom("mfa_spent_tokens")
        .select("jti")
        .where("jti", "=", jti)
        .executeTakeFirst();
      return row !== undefined;
    },
    /**
     * Spends an MFA token as a step of the sign-in's all-or-nothing batch: it touches one row only
     * the first time, so of two completions with one token exactly one keeps its batch.
     */
    spendMfaTokenStep(jti: string, poolId: string, expiresAt: number): Step {
      return {
        query: db
          .insertInto("mfa_spent_tokens")
          .values({ jti, pool_id: poolId, expires_at: expiresAt })
          .onConflict((oc) => oc.column("jti").doNothing())
          .compile(),
        expectRows: 1,
      };
    },
    async deleteMfaTokensExpiredBefore(now: number): Promise<void> {
      await db.deleteFrom("mfa_spent_tokens").where("expires_at", "<", now).execute();
    },
    async getUserMfaStatus(poolId: string, userId: string): Promise<string | undefined> {
      return firstRow(await userMfaStatus(db, poolId, userId))?.trigger_data;
    },
    async setUserMfaStatus(poolId: string, userId: string, data: string, now: number): Promise<void> {
      await db
        .insertInto("mfa_user_status")
        .values({ user_id: userId, pool_id: poolId, trigger_data: data, updated_at: now })
        .onConflict((oc) => oc.column("user_id").doUpdateSet({ trigger_data: data, updated_at: now }))
        .execute();
    },
    async deleteUserMfaStatus(poolId: string, userId: string): Promise<void> {
      await db
        .deleteFrom("mfa_user_status")
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .execute();
    },
  };
}
