import formbody from "@fastify/formbody";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { discoveryRoutes } from "./discovery.js";
import { oauthErrorHandler } from "./errors.js";
import { meRoutes } from "./me.js";
import { sessionEndRoutes } from "./session-end.js";
import { tokenRoutes } from "./token.js";

/**
 * /oidc/*: standard OAuth/OIDC answers (real HTTP statuses, `{error, error_description}`, no
 * envelope). Form bodies are parsed only inside this plugin; /api/v3 stays JSON-only.
 */
export function oidcRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    await app.register(formbody);
    app.setErrorHandler(oauthErrorHandler);
    await app.register(discoveryRoutes(ctx));
    await app.register(tokenRoutes(ctx));
    await app.register(meRoutes(ctx));
    await app.register(sessionEndRoutes(ctx));
  };
}
