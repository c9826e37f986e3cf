import { oidcPaths, UserInfoRequest, underIssuer } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { OAuthError } from "../errors.js";
import { security } from "../http/openapi-security.js";
import { accessTokenFrom } from "../http/user-auth.js";

/**
 * The token of a /oidc/me request (docs/wire-contract.md §2.5): form body, then query, then the
 * authorization header (bare or Bearer). An explicit parameter wins because the SDK replaces
 * the header with its stored token.
 */
function userInfoToken(request: FastifyRequest): string | undefined {
  const body = request.body as { access_token?: unknown } | undefined;
  if (typeof body?.access_token === "string" && body.access_token) return body.access_token;
  const query = request.query as { access_token?: unknown };
  if (typeof query?.access_token === "string" && query.access_token) return query.access_token;
  return accessTokenFrom(request.headers.authorization) ?? undefined;
}

/** GET|POST /oidc/me: OIDC UserInfo, claims filtered by the token's scope. */
export function meRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const handler = async (request: FastifyRequest) => {
      const token = userInfoToken(request);
      if (!token) throw new OAuthError("invalid_token", "access token missing");
      return ctx.oidc.userInfo(token);
    };
    const schema = {
      tags: ["oidc"],
      summary: "OIDC UserInfo (token in a bare/Bearer authorization header, the query or the form)",
      querystring: UserInfoRequest,
      security: security.user,
    };
    app.get(underIssuer(oidcPaths.userInfo), { schema }, handler);
    app.post(underIssuer(oidcPaths.userInfo), { schema }, handler);
  };
}
