import type { Selectable } from "kysely";
import type { LoginHistoryTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled } from "./compiled.js";
import type { Executor } from "./executor.js";

export type LoginHistoryRow = Selectable<LoginHistoryTable>;

export interface LoginHistoryFilter {
  poolId: string;
  userId: string;
  appId?: string;
  clientIp?: string;
  success?: boolean;
  /** epoch ms, inclusive */
  start?: number;
  /** epoch ms, inclusive */
  end?: number;
}

const insertRow = compiled("loginHistory.insert", (db, row: LoginHistoryRow) =>
  db.insertInto("login_history").values(row),
);

/** Every sign-in attempt; read by get-my-login-history and the management API. */
export function loginHistoryRepo(db: Executor) {
  const filtered = (f: LoginHistoryFilter) => {
    let q = db.selectFrom("login_history").where("pool_id", "=", f.poolId).where("user_id", "=", f.userId);
    if (f.appId !== undefined) q = q.where("app_id", "=", f.appId);
    if (f.clientIp !== undefined) q = q.where("ip", "=", f.clientIp);
    if (f.success !== undefined) q = q.where("success", "=", f.success ? 1 : 0);
    if (f.start !== undefined) q = q.where("created_at", ">=", f.start);
    if (f.end !== undefined) q = q.where("created_at", "<=", f.end);
    return q;
  };
  return {
    async insertLoginHistory(row: LoginHistoryRow): Promise<void> {
      await insertRow(db, row);
    },
    insertLoginHistoryStep: (row: LoginHistoryRow): Step => ({
      query: insertRow.compile(db, row),
      expectRows: 1,
    }),
    /** A deleted account's sign-ins (IP addresses, user agents) go with it. */
    async deleteLoginHistoryOfUsers(poolId: string, userIds: readonly string[]): Promise<void> {
      if (userIds.length === 0) return;
      await db
        .deleteFrom("login_history")
        .where("pool_id", "=", poolId)
        .where("user_id", "in", [...userIds])
        .execute();
    },
    /** Newest first; `page` starts at 1. */
    async listLoginHistory(
      filter: LoginHistoryFilter,
      page: number,
      limit: number,
    ): Promise<{ totalCount: number; rows: LoginHistoryRow[] }> {
      const [count, rows] = await Promise.all([
        filtered(filter)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow(),
        filtered(filter)
          .selectAll()
          .orderBy("created_at", "desc")
          .orderBy("id", "desc")
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
      ]);
      return { totalCount: Number(count.n), rows };
    },
  };
}
