import type { Selectable } from "kysely";
import type { FlowTokenTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";

export type FlowTokenRow = Selectable<FlowTokenTable>;

/** Which live token to spend: all of it must match, or nothing is consumed. */
export interface FlowTokenKey {
  tokenHash: string;
  purpose: string;
  poolId: string;
  /** Omitted only for anonymous flows (reset-password), where the token names the user. */
  userId?: string;
}

const insertToken = compiled("flowTokens.insert", (db, row: FlowTokenRow) =>
  db.insertInto("flow_tokens").values(row),
);
/** Spends a live token (`now` twice: SET, then the expiry check — parameters in SQL order). */
const spendLive = (
  db: Executor,
  now: number,
  tokenHash: string,
  purpose: string,
  poolId: string,
  stillNow: number,
) =>
  db
    .updateTable("flow_tokens")
    .set({ consumed_at: now })
    .where("token_hash", "=", tokenHash)
    .where("purpose", "=", purpose)
    .where("pool_id", "=", poolId)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", stillNow);
const spendToken = compiled(
  "flowTokens.spend",
  (db, now: number, tokenHash: string, purpose: string, poolId: string, stillNow: number) =>
    spendLive(db, now, tokenHash, purpose, poolId, stillNow).returningAll(),
);
const spendUserToken = compiled(
  "flowTokens.spendOfUser",
  (db, now: number, tokenHash: string, purpose: string, poolId: string, stillNow: number, userId: string) =>
    spendLive(db, now, tokenHash, purpose, poolId, stillNow).where("user_id", "=", userId).returningAll(),
);
const retireTokens = compiled("flowTokens.retire", (db, now: number, userId: string, purpose: string) =>
  db
    .updateTable("flow_tokens")
    .set({ consumed_at: now })
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("consumed_at", "is", null),
);

const findLiveOfUser = compiled(
  "flowTokens.findLiveOfUser",
  (db, tokenHash: string, purpose: string, poolId: string, now: number, userId: string) =>
    db
      .selectFrom("flow_tokens")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .where("purpose", "=", purpose)
      .where("pool_id", "=", poolId)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .where("user_id", "=", userId),
);

export function flowTokensRepo(db: Executor) {
  return {
    async insertFlowToken(row: FlowTokenRow): Promise<void> {
      await insertToken(db, row);
    },
    /**
     * Spends a token atomically: `UPDATE … WHERE consumed_at IS NULL AND expires_at > now`.
     * Returns the row when this call consumed it, undefined when it was unknown, expired,
     * foreign or already used (the caller cannot tell which, and need not).
     */
    async consumeFlowToken(key: FlowTokenKey, now: number): Promise<FlowTokenRow | undefined> {
      const { tokenHash, purpose, poolId, userId } = key;
      return firstRow(
        userId === undefined
          ? await spendToken(db, now, tokenHash, purpose, poolId, now)
          : await spendUserToken(db, now, tokenHash, purpose, poolId, now, userId),
      );
    },
    /** A live token, without spending it: lets a flow refuse garbage before costly work (hashing). */
    async findLiveFlowToken(key: FlowTokenKey, now: number): Promise<FlowTokenRow | undefined> {
      if (key.userId !== undefined)
        return firstRow(await findLiveOfUser(db, key.tokenHash, key.purpose, key.poolId, now, key.userId));
      const q = db
        .selectFrom("flow_tokens")
        .selectAll()
        .where("token_hash", "=", key.tokenHash)
        .where("purpose", "=", key.purpose)
        .where("pool_id", "=", key.poolId)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now);
      return q.executeTakeFirst();
    },
    /** consumeFlowToken of a signed-in user's token, for an all-or-nothing batch: spent, or the batch undone. */
    consumeUserFlowTokenStep(key: FlowTokenKey & { userId: string }, now: number): Step {
      const { tokenHash, purpose, poolId, userId } = key;
      return {
        query: spendUserToken.compile(db, now, tokenHash, purpose, poolId, now, userId),
        expectRows: 1,
      };
    },
    /** retireFlowTokens then insertFlowToken, for an all-or-nothing batch (the new row is not retired). */
    replaceFlowTokenSteps(row: FlowTokenRow): Step[] {
      return [
        { query: retireTokens.compile(db, row.created_at, row.user_id, row.purpose) },
        { query: insertToken.compile(db, row), expectRows: 1 },
      ];
    },
    /** A newer verification supersedes older unspent tokens of the same user and purpose. */
    async retireFlowTokens(userId: string, purpose: string, now: number): Promise<void> {
      await retireTokens(db, now, userId, purpose);
    },
    async deleteFlowTokenByHash(tokenHash: string): Promise<void> {
      await db.deleteFrom("flow_tokens").where("token_hash", "=", tokenHash).execute();
    },
    async deleteFlowTokensExpiredBefore(before: number): Promise<void> {
      await db.deleteFrom("flow_tokens").where("expires_at", "<", before).execute();
    },
  };
}
