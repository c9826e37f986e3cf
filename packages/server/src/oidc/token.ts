import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  IntrospectionResponse,
  oidcPaths,
  TokenActionRequest,
  TokenRequest,
  TokenResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { OAuthError } from "../errors.js";
import { requestMeta } from "../http/app-scope.js";
import { presentedClient } from "../http/client-credentials.js";
import { GRANT_TYPES } from "../services/oidc/grants/index.js";
import { oidcEndpointClient } from "./client.js";

/** POST /oidc/token, /oidc/token/introspection (RFC 7662), /oidc/token/revocation (RFC 7009). */
export function tokenRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      oidcPaths.token,
      {
        schema: {
          tags: ["oidc"],
          summary: `Token endpoint (grant_type: ${GRANT_TYPES.join(", ")})`,
          body: TokenRequest,
          response: { 200: TokenResponse },
        },
      },
      async (request, reply) => {
        const header = request.headers["x-authing-app-id"];
        reply.header("cache-control", "no-store").header("pragma", "no-cache");
        return ctx.oidc.grants.exchange({
          body: request.body,
          client: presentedClient(request, request.body),
          appIdHeader: typeof header === "string" ? header : undefined,
          protocol: "oidc",
          meta: requestMeta(request),
        });
      },
    );

    app.post(
      oidcPaths.introspection,
      {
        schema: {
          tags: ["oidc"],
          summary: "Token introspection (RFC 7662)",
          body: TokenActionRequest,
          response: { 200: IntrospectionResponse },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const { app: client } = await oidcEndpointClient(ctx, request, body, "introspection");
        if (!body.token) throw new OAuthError("invalid_request", "token is required");
        reply.header("cache-control", "no-store");
        return ctx.tokens.introspect(client, body.token);
      },
    );

    app.post(
      oidcPaths.revocation,
      {
        schema: {
          tags: ["oidc"],
          summary: "Token revocation (RFC 7009): ends the token's session",
          body: TokenActionRequest,
        },
      },
      async (request, reply) => {
        const body = request.body;
        const { app: client } = await oidcEndpointClient(ctx, request, body, "revocation");
        if (!body.token) throw new OAuthError("invalid_request", "token is required");
        await ctx.tokens.revoke(client, body.token);
        return reply.code(200).header("cache-control", "no-store").send();
      },
    );
  };
}
