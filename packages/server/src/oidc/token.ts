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
import { oidcClient, oidcEndpointClient } from "./client.js";

/** POST /oidc/token, /oidc/token/introspection (RFC 7662), /oidc/token/revocation (RFC 7009). */
export function tokenRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      oidcPaths.token,
      {
        schema: {
          tags: ["oidc"],
          summary: "Token endpoint (grant_type=refresh_token)",
          body: TokenRequest,
          response: { 200: TokenResponse },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const { app: client } = await oidcClient(ctx, request, body);
        reply.header("cache-control", "no-store").header("pragma", "no-cache");
        switch (body.grant_type) {
          case "refresh_token":
            if (!body.refresh_token) throw new OAuthError("invalid_request", "refresh_token is required");
            return ctx.tokens.refresh(client, body.refresh_token, body.scope);
          default:
            throw new OAuthError("unsupported_grant_type", `grant_type ${body.grant_type} is not supported`);
        }
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
