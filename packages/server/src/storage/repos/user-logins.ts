import { sql } from "kysely";
import { writingUsers } from "../sqlite/user-rows.js";
import { compiled } from "./compiled.js";
import type { Executor } from "./executor.js";

/** Browser and device change only when the sign-in told them (null keeps the stored value). */
const recordLogin = compiled(
  "users.recordLogin",
  (
    db,
    now: number,
    ip: string | null,
    appId: string,
    browser: string | null,
    device: string | null,
    poolId: string,
    userId: string,
  ) =>
    db
      .updateTable("users")
      .set({
        logins_count: sql<number>`logins_count + 1`,
        last_login: now,
        last_ip: ip,
        last_login_app: appId,
        browser: sql<string | null>`COALESCE(${browser}, browser)`,
        device: sql<string | null>`COALESCE(${device}, device)`,
      })
      .where("pool_id", "=", poolId)
      .where("id", "=", userId),
);

/** The users-table writes a successful sign-in makes (atomic counter, last-login fields). */
export function userLoginsRepo(db: Executor) {
  return {
    async recordUserLogin(
      poolId: string,
      userId: string,
      login: {
        now: number;
        ip: string | null;
        appId: string;
        browser?: string | null;
        device?: string | null;
      },
    ): Promise<void> {
      const { now, ip, appId } = login;
      await writingUsers(db, () =>
        recordLogin(db, now, ip, appId, login.browser || null, login.device || null, poolId, userId),
      );
    },
  };
}
