import {
  KickUsersRequest,
  managementPaths,
  SuccessResponse,
  UnlockUserRequest,
  UserIdQuery,
  UserLoggedInAppsResponse,
  UserLoginHistoryQuery,
  UserLoginHistoryResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { eventOrigin } from "../../http/event-origin.js";
import { managementOf } from "../../http/management-auth.js";

const tags = ["management: users"];

/** A user's sign-ins and sessions (docs/wire-contract.md §4), plus Gatehouse's unlock-user. */
export function managementUserActivityRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const users = ctx.admin.users;

    app.get<{ Querystring: UserLoginHistoryQuery }>(
      managementPaths.getUserLoginHistory,
      {
        schema: {
          tags,
          summary: "A user's successful sign-ins, newest first",
          querystring: UserLoginHistoryQuery,
          response: { 200: UserLoginHistoryResponse },
        },
      },
      async (request) => ok(request, await users.loginHistory(managementOf(request).poolId, request.query)),
    );

    app.get<{ Querystring: UserIdQuery }>(
      managementPaths.getUserLoggedinApps,
      {
        schema: {
          tags,
          summary: "Applications the user ever signed in to",
          querystring: UserIdQuery,
          response: { 200: UserLoggedInAppsResponse },
        },
      },
      async (request) => {
        const { userId, userIdType } = request.query;
        return ok(request, await users.loggedInApps(managementOf(request).poolId, userId, userIdType));
      },
    );

    app.post<{ Body: KickUsersRequest }>(
      managementPaths.kickUsers,
      {
        schema: {
          tags,
          summary: "End the user's sessions in the given applications",
          body: KickUsersRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await users.kick(managementOf(request).poolId, request.body, eventOrigin(request));
        return ok(request, { success: true });
      },
    );

    app.post<{ Body: UnlockUserRequest }>(
      managementPaths.unlockUser,
      {
        schema: {
          tags,
          summary: "Unlock an account locked after too many wrong passwords (Gatehouse)",
          body: UnlockUserRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        const { userId, options } = request.body;
        await users.unlock(managementOf(request).poolId, userId, options?.userIdType);
        return ok(request, { success: true });
      },
    );
  };
}
