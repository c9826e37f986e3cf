import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { AuthorizationParams, AuthorizeResumeParams, oidcPaths, underIssuer } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ApiError } from "../errors.js";
import { requestMeta } from "../http/app-scope.js";
import { security } from "../http/openapi-security.js";
import { keepOpener } from "../http/security-headers.js";
import { errorResponse } from "../services/oidc/authorize/respond.js";
import {
  AuthorizeError,
  type AuthorizeOutcome,
  type RawAuthorizationParams,
} from "../services/oidc/authorize/types.js";
import { DraftError } from "../services/oidc/authorize/validate.js";
import { SESSION_COOKIE } from "../services/oidc/browser-sessions.js";
import type { Protocol } from "../services/oidc/grants/index.js";
import { sendErrorPage } from "./error-page.js";
import { sendFormPost } from "./form-post.js";
import { sendWebMessage } from "./web-message.js";

/** A redirect, the form_post page or the web_message page. */
export function sendOutcome(reply: FastifyReply, outcome: AuthorizeOutcome): FastifyReply {
  if (outcome.type === "form_post") return sendFormPost(reply, outcome.action, outcome.params);
  if (outcome.type === "web_message") return sendWebMessage(reply, outcome.origin, outcome.params);
  return reply.code(303).header("location", outcome.location).header("cache-control", "no-store").send();
}

/** The browser-facing errors: the error page, or the error back to the client. */
function sendFailure(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof DraftError) {
    const { draft, cause } = err;
    const frontTokens = draft.responseType !== undefined && draft.responseType !== "code";
    const target = {
      redirectUri: draft.redirectUri as string,
      responseMode: draft.responseMode ?? (frontTokens ? "fragment" : "query"),
    };
    return sendOutcome(reply, errorResponse(target, cause.error, cause.description, draft.raw.state));
  }
  if (err instanceof AuthorizeError)
    return sendErrorPage(reply, { error: err.error, description: err.description, statusCode: 400 });
  if (err instanceof ApiError && err.statusCode < 500)
    return sendErrorPage(reply, {
      error: "invalid_request",
      description: err.message,
      statusCode: err.statusCode,
    });
  throw err;
}

/**
 * The authorization endpoint, GET and POST (docs/oidc-provider.md §Authorization request), and
 * the resume URL the hosted pages send the browser back to.
 */
export function authorizeRoutes(ctx: Context, protocol: Protocol) {
  // At /oauth/auth (GenAuth's OAuth 2.0 mode) `openid` is not required and no ID token is answered.
  const options = { requireOpenid: protocol === "oidc" };
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    keepOpener(root);

    const authorize = async (raw: RawAuthorizationParams, request: FastifyRequest, reply: FastifyReply) => {
      try {
        const outcome = await ctx.oidc.authorize.start(
          raw,
          request.cookies[SESSION_COOKIE],
          requestMeta(request),
          options,
        );
        return sendOutcome(reply, outcome);
      } catch (err) {
        return sendFailure(reply, err);
      }
    };

    // Public: the browser session cookie, when there is one, is read by the handler itself.
    const schema = {
      tags: ["oidc"],
      summary: "Authorization endpoint (code, implicit and hybrid flows)",
      security: security.public,
    };
    app.get(
      underIssuer(oidcPaths.authorize),
      { schema: { ...schema, querystring: AuthorizationParams } },
      (request, reply) => authorize(request.query as RawAuthorizationParams, request, reply),
    );
    app.post(
      underIssuer(oidcPaths.authorize),
      { schema: { ...schema, body: AuthorizationParams } },
      (request, reply) => authorize(request.body as RawAuthorizationParams, request, reply),
    );

    // One resume URL for both mounts: the interaction holds the request it continues.
    if (protocol !== "oidc") return;
    app.get(
      underIssuer(oidcPaths.authorizeResume),
      {
        schema: {
          tags: ["oidc"],
          summary: "Continue an authorization once the hosted pages answered",
          security: security.public,
          params: AuthorizeResumeParams,
        },
      },
      async (request, reply) => {
        try {
          const outcome = await ctx.oidc.authorize.resume(
            request.params.uid,
            request.cookies[SESSION_COOKIE],
            requestMeta(request),
          );
          return sendOutcome(reply, outcome);
        } catch (err) {
          return sendFailure(reply, err);
        }
      },
    );
  };
}
