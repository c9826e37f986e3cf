import type { FastifyReply } from "fastify";
import { sendErrorPage as sendHostedErrorPage } from "../hosted/error-page.js";

/** OAuth errors a browser may be shown, as keys of the hosted pages' texts. */
const EXPLAINED: Record<string, string> = {
  invalid_client: "OAUTH_INVALID_CLIENT",
  unauthorized_client: "OAUTH_INVALID_CLIENT",
  invalid_redirect_uri: "OAUTH_INVALID_REDIRECT_URI",
  invalid_request: "OAUTH_INVALID_REQUEST",
  access_denied: "OAUTH_ACCESS_DENIED",
  login_required: "OAUTH_LOGIN_REQUIRED",
  server_error: "INTERNAL",
  temporarily_unavailable: "SERVICE_UNAVAILABLE",
};

/**
 * The browser-facing error of the OpenID Provider: an unknown client or an unregistered redirect
 * URI is shown here and never redirected to (docs/oidc-provider.md §Errors). It is the hosted
 * pages' error page (docs/hosted-pages.md, "Errors"): the error in words, in the visitor's
 * language, the protocol's description below it, everything escaped, its own strict CSP.
 */
export function sendErrorPage(
  reply: FastifyReply,
  { error, description, statusCode }: { error: string; description: string; statusCode: number },
): FastifyReply {
  return sendHostedErrorPage(reply.request, reply, {
    statusCode,
    textKey: EXPLAINED[error] ?? "OTHER",
    detail: `${error}: ${description}`,
  });
}
