import { oidcPaths, underIssuer } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { GRANT_TYPES } from "../services/oidc/grants/index.js";
import { TOKEN_ENDPOINT_AUTH_METHODS } from "../services/tokens/app-config.js";
import { SUPPORTED_CLAIMS, SUPPORTED_SCOPES } from "../services/tokens/claims.js";

/**
 * OIDC discovery describing exactly what is implemented: no authorization endpoint yet, so no
 * response types; the refresh_token grant at the token endpoint (docs/wire-contract.md §2.6).
 */
export function discoveryDocument(issuer: string) {
  const methods = [...TOKEN_ENDPOINT_AUTH_METHODS];
  return {
    issuer,
    jwks_uri: issuer + underIssuer(oidcPaths.jwks),
    token_endpoint: issuer + underIssuer(oidcPaths.token),
    userinfo_endpoint: issuer + underIssuer(oidcPaths.userInfo),
    introspection_endpoint: issuer + underIssuer(oidcPaths.introspection),
    revocation_endpoint: issuer + underIssuer(oidcPaths.revocation),
    end_session_endpoint: issuer + underIssuer(oidcPaths.endSession),
    grant_types_supported: [...GRANT_TYPES],
    response_types_supported: [] as string[],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256", "HS256"],
    token_endpoint_auth_methods_supported: methods,
    introspection_endpoint_auth_methods_supported: methods,
    revocation_endpoint_auth_methods_supported: methods,
    scopes_supported: [...SUPPORTED_SCOPES],
    claims_supported: SUPPORTED_CLAIMS,
    claim_types_supported: ["normal"],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

export function discoveryRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const document = discoveryDocument(ctx.tokens.issuer);
    app.get(
      underIssuer(oidcPaths.discovery),
      { schema: { tags: ["oidc"], summary: "OpenID Provider metadata" } },
      async (_request, reply) => {
        reply.header("cache-control", "public, max-age=300");
        return document;
      },
    );
    app.get(
      underIssuer(oidcPaths.jwks),
      { schema: { tags: ["oidc"], summary: "Token signing keys: bare {keys} (current and previous)" } },
      async (_request, reply) => {
        reply.header("cache-control", "public, max-age=60");
        return ctx.signingKeys.jwks();
      },
    );
  };
}
