import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { EndSessionQuery, oidcPaths } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Context } from "../context.js";
import { OAuthError } from "../errors.js";
import { appConfig } from "../services/tokens/app-config.js";

const SIGNED_OUT = `<!doctype html><html><head><meta charset="utf-8"><title>Signed out</title></head>
<body><p>You have been signed out.</p></body></html>`;

/**
 * RP-initiated logout (wire contract §2.7): ends the session named by `id_token_hint` and
 * redirects only to one of the application's registered logout redirect URIs.
 */
export function sessionEndRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    const endSession = async (q: EndSessionQuery, reply: FastifyReply) => {
      let appId = q.client_id;
      let sessionId: string | undefined;
      if (q.id_token_hint) {
        const named = await ctx.tokens.idTokenSession(q.id_token_hint);
        if (!named)
          throw new OAuthError("invalid_request", "id_token_hint is not a valid ID token of this issuer");
        if (appId && appId !== named.aud)
          throw new OAuthError("invalid_request", "id_token_hint was issued to another client");
        appId = named.aud;
        sessionId = named.sid;
      }
      // Every check before the session ends: a refused logout changes nothing.
      let target: URL | undefined;
      if (q.post_logout_redirect_uri) {
        const client = appId ? await ctx.repos.applications.findApplicationById(appId) : undefined;
        if (!client || !appConfig(client).logoutRedirectUris.includes(q.post_logout_redirect_uri)) {
          throw new OAuthError(
            "invalid_request",
            "post_logout_redirect_uri is not registered for this client",
          );
        }
        target = new URL(q.post_logout_redirect_uri);
        if (q.state) target.searchParams.set("state", q.state);
      }
      if (sessionId) await ctx.sessions.end(sessionId, "logout");
      if (target) return reply.code(302).header("location", target.toString()).send();
      return reply
        .code(200)
        .header("cache-control", "no-store")
        .type("text/html; charset=utf-8")
        .send(SIGNED_OUT);
    };

    const schema = { tags: ["oidc"], summary: "End session (RP-initiated logout)" };
    app.get(oidcPaths.endSession, { schema: { ...schema, querystring: EndSessionQuery } }, (request, reply) =>
      endSession(request.query, reply),
    );
    app.post(oidcPaths.endSession, { schema: { ...schema, body: EndSessionQuery } }, (request, reply) =>
      endSession(request.body, reply),
    );
  };
}
