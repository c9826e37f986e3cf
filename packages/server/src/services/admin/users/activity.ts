import type { KickUsersRequest, UserIdType, UserLoginHistoryQuery } from "@gatehouse/protocol";
import type { Clock } from "../../../lib/clock.js";
import type { Repositories } from "../../../storage/repos/index.js";
import type { LoginGuard } from "../../auth/lockout.js";
import { loggedInApps, loginHistoryPage } from "../../auth/login-history.js";
import { type Emit, userEvent, withEvents } from "../../events/emit.js";
import type { EventOrigin } from "../../events/scope.js";
import type { Sessions } from "../../tokens/sessions.js";
import { requireUserByIdType } from "../../users/lookup.js";
import { loadPoolSettings } from "./create.js";

export interface UserActivityDeps {
  repos: Repositories;
  sessions: Pick<Sessions, "endUserSessions" | "endedElsewhere">;
  loginGuard: Pick<LoginGuard, "unlockUser">;
  clock: Clock;
  emit: Emit;
}

/**
 * A user's sign-ins and sessions for the management API (docs/wire-contract.md §4): login history,
 * apps signed in to, kick (end sessions) and unlock (clear the password-failure lockout).
 */
export function createUserActivity({ repos, sessions, loginGuard, clock, emit }: UserActivityDeps) {
  async function user(poolId: string, userId: string, userIdType?: UserIdType) {
    return requireUserByIdType(repos, poolId, await loadPoolSettings(repos, poolId), userId, userIdType);
  }

  return {
    /** Successful sign-ins, newest first (the SDK's item has no success flag). */
    async loginHistory(poolId: string, q: UserLoginHistoryQuery) {
      const u = await user(poolId, q.userId, q.userIdType);
      const page = await loginHistoryPage(
        repos,
        {
          poolId,
          userId: u.id,
          appId: q.appId,
          clientIp: q.clientIp,
          success: true,
          start: q.start,
          end: q.end,
        },
        q.page ?? 1,
        q.limit ?? 10,
      );
      return {
        totalCount: page.totalCount,
        list: page.list.map((h) => ({
          appId: h.appId,
          appName: h.appName,
          appLogo: h.appLogo,
          appLoginUrl: h.appLoginUrl,
          clientIp: h.clientIp,
          ...(h.userAgent ? { userAgent: h.userAgent } : {}),
          time: h.loginAt,
        })),
      };
    },

    /** Every application the user ever signed in to, most recent first. */
    async loggedInApps(poolId: string, userId: string, userIdType?: UserIdType) {
      const u = await user(poolId, userId, userIdType);
      return (await loggedInApps(repos, clock, poolId, u.id)).map(
        ({ appId, appName, appLogo, appLoginUrl }) => ({
          appId,
          appName,
          appLogo,
          appLoginUrl,
        }),
      );
    },

    /** Ends the user's sessions in the given applications; their tokens stop working at once. */
    async kick(poolId: string, req: KickUsersRequest, origin: EventOrigin): Promise<void> {
      const u = await user(poolId, req.userId, req.options?.userIdType);
      const ended = await withEvents(repos, async (tx) => {
        const ids = await tx.sessions.endUserSessions(poolId, u.id, clock.now(), "kicked", {
          appIds: req.appIds,
        });
        await emit(tx, origin, userEvent("kick", u, { appIds: req.appIds }));
        return ids;
      });
      sessions.endedElsewhere(ended);
    },

    /** Lifts a lockout after too many wrong passwords (docs/behaviour-and-errors.md §4.4: "admin unlock clears it"). */
    async unlock(poolId: string, userId: string, userIdType?: UserIdType) {
      const u = await user(poolId, userId, userIdType);
      await loginGuard.unlockUser(poolId, u.id);
      return u.id;
    },
  };
}
