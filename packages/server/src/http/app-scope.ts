import type { Language } from "@gatehouse/protocol";
import type { FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import type { AppScope, RequestMeta } from "../services/auth/scope.js";
import "./language.js";
import { eventOrigin } from "./event-origin.js";
import { securedBy } from "./openapi-security.js";

declare module "fastify" {
  interface FastifyRequest {
    appScope?: AppScope;
  }
}

/** preHandler factory: every app-scoped /api/v3 route uses it (`x-authing-app-id`). */
export function requireAppScope(ctx: Context) {
  return securedBy(
    async (request: FastifyRequest) => {
      const header = request.headers["x-authing-app-id"];
      request.appScope = await ctx.auth.resolveScope(Array.isArray(header) ? header[0] : header);
      request.poolLanguage = request.appScope.settings.defaultLanguage;
    },
    { appId: [] },
  );
}

/**
 * The default language of the pool whose application `x-authing-app-id` names, for an error found
 * before `requireAppScope` ran (a schema error, a body that does not parse): the envelope's
 * `poolLanguage` (docs/behaviour-and-errors.md §3.7).
 */
export function appPoolLanguage(ctx: Context) {
  return async (request: FastifyRequest): Promise<Language | undefined> => {
    const header = request.headers["x-authing-app-id"];
    const appId = Array.isArray(header) ? header[0] : header;
    if (!appId) return undefined;
    return (await ctx.auth.resolveScope(appId)).settings.defaultLanguage;
  };
}

/** The resolved scope; only call behind `requireAppScope`. */
export function appScopeOf(request: FastifyRequest): AppScope {
  if (!request.appScope) throw new Error("app scope not resolved: route is missing requireAppScope");
  return request.appScope;
}

/** Who is asking: the one place a request's metadata is read for history, lockout, audit and events. */
export function requestMeta(request: FastifyRequest, appId?: string): RequestMeta {
  const ua = request.headers["user-agent"];
  return {
    ip: request.ip,
    userAgent: typeof ua === "string" ? ua.slice(0, 512) : null,
    appId,
    origin: eventOrigin(request),
  };
}
