import { sql } from "kysely";
import { writingUsers } from "../sqlite/user-rows.js";
import type { Step } from "./all-or-nothing.js";
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

export interface UserLogin {
  now: number;
  ip: string | null;
  appId: string;
  browser?: string | null;
  device?: string | null;
}

/** The users-table writes a successful sign-in makes (atomic counter, last-login fields). */
export function userLoginsRepo(db: Executor) {
  return {
    async recordUserLogin(poolId: string, userId: string, login: UserLogin): Promise<void> {
      const { now, ip, appId } = login;
      await writingUsers(
        db,
        () => recordLogin(db, now, ip, appId, login.browser || null, login.device || null, poolId, userId),
        [userId],
      );
    },
    /** recordUserLogin as a step of the login's all-or-nothing batch. */
    recordUserLoginStep(poolId: string, userId: string, login: UserLogin): Step {
      const { now, ip, appId } = login;
      return {
        query: recordLogin.compile(
          db,
          now,
          ip,
          appId,
          login.browser || null,
          login.device || null,
          poolId,
          userId,
        ),
        writesUsers: userId,
      };
    },
  };
}
