import { ManagementTokenRequest, ManagementTokenResponse, managementPaths } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { security } from "../../http/openapi-security.js";

/**
 * POST /api/v3/get-management-token (docs/wire-contract.md §1.4.4): the token flow of the Go/C# SDKs.
 * Answers carry `code: 200` next to `statusCode` for the historical node SDK's check.
 */
export function managementTokenRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    app.post<{ Body: ManagementTokenRequest }>(
      managementPaths.getManagementToken,
      {
        schema: {
          tags: ["management: access keys"],
          // The access key travels in the body: the call needs no other credential.
          security: security.public,
          summary: "Exchange an access key for a management token (then Authorization: Bearer)",
          body: ManagementTokenRequest,
          response: { 200: ManagementTokenResponse },
        },
      },
      async (request) => {
        const data = await ctx.admin.managementTokens.issue(
          request.body.accessKeyId,
          request.body.accessKeySecret,
        );
        return { ...ok(request, data), code: 200 };
      },
    );
  };
}
