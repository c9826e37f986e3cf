import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  IntrospectionResponse,
  oidcPaths,
  TokenActionRequest,
  TokenRequest,
  TokenResponse,
  underIssuer,
} from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { OAuthError } from "../errors.js";
import { requestMeta } from "../http/app-scope.js";
import { presentedClient } from "../http/client-credentials.js";
import { security } from "../http/openapi-security.js";
import { GRANT_TYPES } from "../services/oidc/grants/index.js";
import type { TokenAction } from "../services/oidc/token-actions.js";
import { protocolOf } from "./mount.js";

/** The client and token of an introspection or revocation request. */
function tokenAction(request: FastifyRequest, body: TokenActionRequest): TokenAction {
  if (!body.token) throw new OAuthError("invalid_request", "token is required");
  return { client: presentedClient(request, body), appIdHeader: appIdHeader(request), token: body.token };
}

/** The official SDK names its application in `x-authing-app-id` when the body names no client. */
function appIdHeader(request: FastifyRequest): string | undefined {
  const header = request.headers["x-authing-app-id"];
  return typeof header === "string" ? header : undefined;
}

/** POST /oidc/token, /oidc/token/introspection (RFC 7662), /oidc/token/revocation (RFC 7009). */
export function tokenRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      underIssuer(oidcPaths.token),
      {
        schema: {
          tags: ["oidc"],
          security: security.oauthClient,
          summary: `Token endpoint (grant_type: ${GRANT_TYPES.join(", ")})`,
          body: TokenRequest,
          response: { 200: TokenResponse },
        },
      },
      async (request, reply) => {
        reply.header("cache-control", "no-store").header("pragma", "no-cache");
        return ctx.oidc.grants.exchange({
          body: request.body,
          client: presentedClient(request, request.body),
          appIdHeader: appIdHeader(request),
          protocol: protocolOf(request),
          meta: requestMeta(request),
        });
      },
    );

    app.post(
      underIssuer(oidcPaths.introspection),
      {
        schema: {
          tags: ["oidc"],
          security: security.oauthClient,
          summary: "Token introspection (RFC 7662)",
          body: TokenActionRequest,
          response: { 200: IntrospectionResponse },
        },
      },
      async (request, reply) => {
        const action = tokenAction(request, request.body);
        reply.header("cache-control", "no-store");
        return ctx.oidc.introspect(action);
      },
    );

    app.post(
      underIssuer(oidcPaths.revocation),
      {
        schema: {
          tags: ["oidc"],
          security: security.oauthClient,
          summary: "Token revocation (RFC 7009): ends the token's session",
          body: TokenActionRequest,
        },
      },
      async (request, reply) => {
        await ctx.oidc.revoke(tokenAction(request, request.body));
        return reply.code(200).header("cache-control", "no-store").send();
      },
    );
  };
}
