import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../../errors.js";
import { defaultPoolSettings } from "../../services/users/pool-settings.js";
import { originsOf } from "../csp.js";
import { IdParams } from "../forms.js";
import { sendPage } from "../frame.js";
import { continueTo, type PageDeps } from "./shared.js";

/** The session cookie the OpenID Provider sets (services/oidc/browser-sessions.ts). */
export const SESSION_COOKIE = "gatehouse_session";

const logoutPath = (id: string, rest = "") => `/logout/${encodeURIComponent(id)}${rest}`;

/** RP-initiated logout without an ID token hint: "sign out?" asked with a form. */
async function showLogout(
  deps: PageDeps,
  request: FastifyRequest<{ Params: IdParams }>,
  reply: FastifyReply,
  stayed: boolean,
) {
  const found = await deps.oidc.logout.find(request.params.id);
  if (!found) throw new ApiError("LOGOUT_REQUEST_NOT_FOUND");
  const frame = deps.frame(request, reply, {
    poolName: "Gatehouse",
    settings: defaultPoolSettings(),
    pagePath: logoutPath(found.id),
  });
  return sendPage(
    reply,
    "logout",
    frame,
    {
      appName: found.appName,
      stayed,
      actions: {
        confirm: frame.link(logoutPath(found.id, "/confirm")),
        stay: frame.link(logoutPath(found.id, "/stay")),
      },
    },
    { formOrigins: originsOf(found.postLogoutRedirectUri ? [found.postLogoutRedirectUri] : []) },
  );
}

export function logoutRoutes(deps: PageDeps) {
  return async (app: FastifyInstance) => {
    const protect = { preHandler: app.csrfProtection };

    app.get<{ Params: IdParams }>(
      "/logout/:id",
      { schema: { hide: true, params: IdParams } },
      (request, reply) => showLogout(deps, request, reply, false),
    );

    app.post<{ Params: IdParams }>(
      "/logout/:id/confirm",
      { ...protect, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const done = await deps.oidc.logout.confirm(request.params.id, request.cookies[SESSION_COOKIE]);
        reply.clearCookie(done.clearCookie.name, done.clearCookie.options);
        return continueTo(reply, done.redirectTo);
      },
    );

    app.post<{ Params: IdParams }>(
      "/logout/:id/stay",
      { ...protect, schema: { hide: true, params: IdParams } },
      (request, reply) => showLogout(deps, request, reply, true),
    );
  };
}
