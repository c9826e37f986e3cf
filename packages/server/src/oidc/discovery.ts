import { oidcPaths, underIssuer } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { security } from "../http/openapi-security.js";

/** Discovery and JWKS (docs/oidc-tokens.md §Discovery): the service builds, this serves. */
export function discoveryRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    // Routes are all registered once the app is ready, before any request asks.
    const served = (path: string) =>
      app.hasRoute({ method: "GET", url: path }) || app.hasRoute({ method: "POST", url: path });
    app.get(
      underIssuer(oidcPaths.discovery),
      { schema: { tags: ["oidc"], summary: "OpenID Provider metadata", security: security.public } },
      async (_request, reply) => {
        reply.header("cache-control", "public, max-age=60");
        return ctx.oidc.discovery(served);
      },
    );
    app.get(
      underIssuer(oidcPaths.jwks),
      {
        schema: {
          tags: ["oidc"],
          summary: "Token signing keys: bare {keys} (current and previous)",
          security: security.public,
        },
      },
      async (_request, reply) => {
        reply.header("cache-control", "public, max-age=60");
        return ctx.signingKeys.jwks();
      },
    );
  };
}
