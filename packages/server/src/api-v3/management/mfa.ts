import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { managementPaths, UserIdQuery, UserMfaInfoResponse } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { managementOf } from "../../http/management-auth.js";

/** The administrator's view of users' second factors (docs/mfa.md §Management API). */
export function managementMfaRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      managementPaths.getUserMfaInfo,
      {
        schema: {
          tags: ["management: mfa"],
          summary: "Which factor types a user has enrolled",
          querystring: UserIdQuery,
          response: { 200: UserMfaInfoResponse },
        },
      },
      async (request) => {
        const { userId, userIdType } = request.query;
        return ok(request, await ctx.mfa.userMfaInfo(managementOf(request).poolId, userId, userIdType));
      },
    );
  };
}
