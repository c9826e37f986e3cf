import formbody from "@fastify/formbody";
import { authPaths, MfaTokenIntrospectResponse } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { security } from "../http/openapi-security.js";

/** The token from a form or JSON field `token`, the query, or `Authorization: Bearer`. */
function tokenOf(request: FastifyRequest): string | undefined {
  const body = request.body as { token?: unknown } | undefined;
  const query = request.query as { token?: unknown } | undefined;
  const fromBody = body && typeof body === "object" ? body.token : undefined;
  if (typeof fromBody === "string" && fromBody) return fromBody;
  if (typeof query?.token === "string" && query.token) return query.token;
  const auth = request.headers.authorization;
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  return m?.[1];
}

/**
 * `POST /mfa/token/introspection` (docs/mfa.md §MFA token): no envelope, like OAuth
 * introspection. The official SDK sends no body at all: anything unreadable is `{active:false}`.
 */
export function mfaTokenRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    await app.register(formbody);
    // An empty or broken JSON body is not an error here: it just names no token.
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
      try {
        done(null, body ? JSON.parse(body as string) : undefined);
      } catch {
        done(null, undefined);
      }
    });
    app.post(
      authPaths.mfaTokenIntrospection,
      {
        schema: {
          tags: ["mfa"],
          summary: "Is this MFA token live?",
          // The MFA token being asked about is the only credential.
          security: security.public,
          response: { 200: MfaTokenIntrospectResponse },
        },
      },
      async (request) => ctx.mfa.introspect(tokenOf(request)),
    );
  };
}
