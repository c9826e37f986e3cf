import { sql } from "kysely";
import type { Executor } from "./executor.js";

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
      await db
        .updateTable("users")
        .set({
          logins_count: sql<number>`logins_count + 1`,
          last_login: login.now,
          last_ip: login.ip,
          last_login_app: login.appId,
          ...(login.browser ? { browser: login.browser } : {}),
          ...(login.device ? { device: login.device } : {}),
        })
        .where("pool_id", "=", poolId)
        .where("id", "=", userId)
        .execute();
    },
  };
}
