import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError, OAuthError } from "../errors.js";
import { sendErrorPage } from "../hosted/error-page.js";
import { oauthErrorHandler } from "../oidc/errors.js";
import { sendError } from "./envelope.js";

/** The hosted pages' addresses (docs/hosted-pages.md), the OAuth endpoints' (docs/oidc-provider.md). */
const PAGES = /^\/(interaction|logout|account|ext-idp)(\/|$)/;
const OAUTH = /^\/(oidc|oauth)(\/|$)/;

/**
 * Requests the router refuses before any route runs — a path parameter longer than the router
 * takes, a malformed percent-escape in the path — answered in the kind of their address (the
 * error page, an OAuth error, the envelope), not in Fastify's own JSON (docs/reliability.md
 * §Fuzzing). Given to Fastify as `frameworkErrors`: no plugin's error handler reaches them.
 */
export function frameworkErrorHandler(err: Error, request: FastifyRequest, reply: FastifyReply): void {
  request.log.info({ code: (err as { code?: string }).code }, "request refused by the router");
  const path = request.url.split("?")[0] ?? "";
  if (PAGES.test(path)) {
    sendErrorPage(request, reply, { statusCode: 404, textKey: "NOT_FOUND" });
    return;
  }
  if (OAUTH.test(path)) {
    oauthErrorHandler(new OAuthError("invalid_request", "the request's path is malformed"), request, reply);
    return;
  }
  sendError(request, reply, new ApiError("INVALID_REQUEST"));
}
