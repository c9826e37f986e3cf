import type { KickUsersRequest, UserIdType, UserLoginHistoryQuery } from "@gatehouse/protocol";
import type { Context } from "../../../context.js";
import { loggedInApps, loginHistoryPage } from "../../auth/login-history.js";
import { requireUserByIdType } from "../../users/lookup.js";
import { loadPoolSettings } from "./create.js";

/**
 * A user's sign-ins and sessions for the management API (wire contract §4): login history,
 * apps signed in to, kick (end sessions) and unlock (clear the password-failure lockout).
 */
async function user(ctx: Context, poolId: string, userId: string, userIdType?: UserIdType) {
  return requireUserByIdType(ctx.repos, poolId, await loadPoolSettings(ctx, poolId), userId, userIdType);
}

/** Successful sign-ins, newest first (the SDK's item has no success flag). */
export async function userLoginHistory(ctx: Context, poolId: string, q: UserLoginHistoryQuery) {
  const u = await user(ctx, poolId, q.userId, q.userIdType);
  const page = await loginHistoryPage(
    ctx.repos,
    { poolId, userId: u.id, appId: q.appId, clientIp: q.clientIp, success: true, start: q.start, end: q.end },
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
}

/** Every application the user ever signed in to, most recent first. */
export async function userLoggedInApps(
  ctx: Context,
  poolId: string,
  userId: string,
  userIdType?: UserIdType,
) {
  const u = await user(ctx, poolId, userId, userIdType);
  return (await loggedInApps(ctx.repos, ctx.clock, poolId, u.id)).map(
    ({ appId, appName, appLogo, appLoginUrl }) => ({
      appId,
      appName,
      appLogo,
      appLoginUrl,
    }),
  );
}

/** Ends the user's sessions in the given applications; their tokens stop working at once. */
export async function kickUser(ctx: Context, poolId: string, req: KickUsersRequest): Promise<void> {
  const u = await user(ctx, poolId, req.userId, req.options?.userIdType);
  await ctx.sessions.endUserSessions(poolId, u.id, { appIds: req.appIds, reason: "kicked" });
}

/** Lifts a lockout after too many wrong passwords (behaviour-and-errors §4.4: "admin unlock clears it"). */
export async function unlockUser(ctx: Context, poolId: string, userId: string, userIdType?: UserIdType) {
  const u = await user(ctx, poolId, userId, userIdType);
  await ctx.loginGuard.unlockUser(poolId, u.id);
  return u.id;
}
