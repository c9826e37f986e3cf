import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { EndSessionQuery, oidcPaths, underIssuer } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Context } from "../context.js";
import { security } from "../http/openapi-security.js";

const SIGNED_OUT = `<!doctype html><html><head><meta charset="utf-8"><title>Signed out</title></head>
<body><p>You have been signed out.</p></body></html>`;

/** RP-initiated logout (docs/wire-contract.md §2.7): the service decides, this renders. */
export function sessionEndRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    const endSession = async (q: EndSessionQuery, reply: FastifyReply) => {
      const target = await ctx.oidc.endSession(q);
      if (target) return reply.code(302).header("location", target.toString()).send();
      return reply
        .code(200)
        .header("cache-control", "no-store")
        .type("text/html; charset=utf-8")
        .send(SIGNED_OUT);
    };

    const schema = {
      tags: ["oidc"],
      summary: "End session (RP-initiated logout)",
      security: security.public,
    };
    app.get(
      underIssuer(oidcPaths.endSession),
      { schema: { ...schema, querystring: EndSessionQuery } },
      (request, reply) => endSession(request.query, reply),
    );
    app.post(
      underIssuer(oidcPaths.endSession),
      { schema: { ...schema, body: EndSessionQuery } },
      (request, reply) => endSession(request.body, reply),
    );
  };
}
