import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  authPaths,
  LoggedInAppsResponse,
  LoginHistoryQuery,
  LoginHistoryResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { ok } from "../http/envelope.js";
import { requireUser, userOf } from "../http/user-auth.js";

/** The signed-in user's login history and apps ("用户相关资源"), docs/wire-contract.md §3f. */
export function loginHistoryRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      authPaths.getMyLoginHistory,
      {
        schema: {
          tags: ["user resources"],
          summary: "My sign-in attempts, newest first",
          querystring: LoginHistoryQuery,
          response: { 200: LoginHistoryResponse },
        },
        preHandler: requireUser(ctx, "profile"),
      },
      async (request) => ok(request, await ctx.auth.myLoginHistory(userOf(request), request.query)),
    );

    app.get(
      authPaths.getMyLoggedInApps,
      {
        schema: {
          tags: ["user resources"],
          summary: "Applications I have signed in to",
          response: { 200: LoggedInAppsResponse },
        },
        preHandler: requireUser(ctx, "profile"),
      },
      async (request) => ok(request, await ctx.auth.myLoggedInApps(userOf(request))),
    );
  };
}
