import formbody from "@fastify/formbody";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import type { Protocol } from "../services/oidc/grants/index.js";
import { authorizeRoutes } from "./authorize.js";
import { discoveryRoutes } from "./discovery.js";
import { oauthErrorHandler } from "./errors.js";
import { meRoutes } from "./me.js";
import { mountRoute } from "./mount.js";
import { sessionEndRoutes } from "./session-end.js";
import { tokenRoutes } from "./token.js";

/**
 * Registered at /oidc and, mounted a second time with the same handlers, GenAuth's /oauth/* (docs/oidc-tokens.md
 * §The /oauth mode): standard OAuth/OIDC answers (real HTTP statuses, `{error, error_description}`,
 * no envelope). Routes are registered relative to the mount; a handler that answers differently
 * per protocol reads `protocolOf(request)`. Form bodies are parsed only inside; /api/v3 stays JSON-only.
 */
export function oidcRoutes(ctx: Context, protocol: Protocol = "oidc") {
  return async (app: FastifyInstance) => {
    app.addHook("onRoute", mountRoute(protocol));
    await app.register(formbody);
    app.setErrorHandler(oauthErrorHandler);
    // OpenID Connect only: discovery, keys and logout have no /oauth counterpart in GenAuth.
    if (protocol === "oidc") {
      await app.register(discoveryRoutes(ctx));
      await app.register(sessionEndRoutes(ctx));
    }
    await app.register(authorizeRoutes(ctx, protocol));
    await app.register(tokenRoutes(ctx));
    await app.register(meRoutes(ctx));
  };
}
