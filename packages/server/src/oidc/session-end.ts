import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { EndSessionQuery, oidcPaths, underIssuer } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { security } from "../http/openapi-security.js";
import { SESSION_COOKIE } from "../services/oidc/browser-sessions.js";

const SIGNED_OUT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head>
<body><p>You have been signed out.</p></body></html>`;

/** RP-initiated logout (docs/wire-contract.md §2.7, docs/oidc-provider.md §Logout): the service decides, this renders. */
export function sessionEndRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const browser = ctx.oidc.browserSessions;

    const endSession = async (q: EndSessionQuery, request: FastifyRequest, reply: FastifyReply) => {
      const own = await browser.read(request.cookies[SESSION_COOKIE]);
      const result = await ctx.oidc.endSession(q);
      reply.header("cache-control", "no-store");
      if (result.type === "confirm") {
        return reply.code(303).header("location", `/logout/${result.logoutRequestId}`).send();
      }
      // The browser that asked is signed out of the provider too, when it is the hint's user's:
      // a hint of one's own must not sign a lured browser out.
      if (own?.userId === result.userId) {
        await browser.end(own.sessionId, "logout");
        reply.clearCookie(browser.cookieName, browser.clearCookieOptions());
      }
      if (result.target) return reply.code(302).header("location", result.target.toString()).send();
      return signedOut(reply);
    };
    const signedOut = (reply: FastifyReply) =>
      reply
        .code(200)
        .header("cache-control", "no-store")
        .header("content-security-policy", "default-src 'none'; frame-ancestors 'none'")
        .type("text/html; charset=utf-8")
        .send(SIGNED_OUT);

    const schema = {
      tags: ["oidc"],
      summary: "End session (RP-initiated logout)",
      security: security.public,
    };
    app.get(
      underIssuer(oidcPaths.endSession),
      { schema: { ...schema, querystring: EndSessionQuery } },
      (request, reply) => endSession(request.query, request, reply),
    );
    app.post(
      underIssuer(oidcPaths.endSession),
      { schema: { ...schema, body: EndSessionQuery } },
      (request, reply) => endSession(request.body, request, reply),
    );
    app.get(
      underIssuer(oidcPaths.signedOut),
      { schema: { tags: ["oidc"], summary: "Signed out", security: security.public } },
      (_request, reply) => signedOut(reply),
    );
  };
}
