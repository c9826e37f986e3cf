import { oidcPaths, underIssuer } from "@gatehouse/protocol";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import { appConfig, TOKEN_ENDPOINT_AUTH_METHODS } from "../tokens/app-config.js";
import { MFA_ACR_VALUES } from "../tokens/auth-context.js";
import { SUPPORTED_CLAIMS, SUPPORTED_SCOPES } from "../tokens/claims.js";
import { RESPONSE_MODES } from "./authorize/check-response-mode.js";
import { RESPONSE_TYPES } from "./authorize/check-response-type.js";
import { GRANT_TYPES } from "./grants/index.js";

/**
 * How long a node serves the document it built: an application that starts signing ID tokens
 * with HS256, or allowing PKCE `plain`, shows in discovery within this time.
 */
export const DISCOVERY_TTL_MS = 60_000;

/** Each metadata field naming an endpoint, and its path; advertised only where a route serves it. */
const ENDPOINTS = {
  authorization_endpoint: oidcPaths.authorize,
  token_endpoint: oidcPaths.token,
  userinfo_endpoint: oidcPaths.userInfo,
  jwks_uri: oidcPaths.jwks,
  introspection_endpoint: oidcPaths.introspection,
  revocation_endpoint: oidcPaths.revocation,
  end_session_endpoint: oidcPaths.endSession,
} as const;

/** What some registered application uses, read from their configs. */
async function inUse(repos: Repositories) {
  let hs256 = false;
  let plainPkce = false;
  for (const row of await repos.applications.listApplicationConfigs()) {
    const cfg = appConfig(row);
    hs256 ||= cfg.idTokenSignedResponseAlg === "HS256";
    plainPkce ||= cfg.allowPlainPkce;
  }
  return { hs256, plainPkce };
}

/**
 * OpenID Provider metadata (docs/oidc-tokens.md §Discovery), built from the tables the handlers
 * use: the grant table, the scope and claim lists, the client authentication methods, the served
 * routes, and what the registered applications enable.
 */
export function createDiscovery({
  repos,
  clock,
  issuer,
}: {
  repos: Repositories;
  clock: Clock;
  issuer: string;
}) {
  let cached: { document: Record<string, unknown>; builtAt: number } | undefined;

  async function build(served: (path: string) => boolean): Promise<Record<string, unknown>> {
    const apps = await inUse(repos);
    const endpoints: Record<string, string> = {};
    for (const [field, path] of Object.entries(ENDPOINTS)) {
      if (served(path)) endpoints[field] = issuer + underIssuer(path);
    }
    const methods = [...TOKEN_ENDPOINT_AUTH_METHODS];
    return {
      issuer,
      ...endpoints,
      grant_types_supported: [...GRANT_TYPES],
      // The authorization endpoint's response types and modes (docs/oidc-provider.md).
      response_types_supported: served(oidcPaths.authorize) ? [...RESPONSE_TYPES] : [],
      ...(served(oidcPaths.authorize) ? { response_modes_supported: [...RESPONSE_MODES] } : {}),
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: apps.hs256 ? ["RS256", "HS256"] : ["RS256"],
      code_challenge_methods_supported: apps.plainPkce ? ["S256", "plain"] : ["S256"],
      token_endpoint_auth_methods_supported: methods,
      introspection_endpoint_auth_methods_supported: methods,
      revocation_endpoint_auth_methods_supported: methods,
      scopes_supported: [...SUPPORTED_SCOPES],
      claims_supported: [...SUPPORTED_CLAIMS, "amr", "acr"],
      ...(served(oidcPaths.authorize) ? { acr_values_supported: [...MFA_ACR_VALUES] } : {}),
      claim_types_supported: ["normal"],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    };
  }

  return {
    /** `served(path)`: whether a route answers that `/oidc/*` path (the web layer knows). */
    async discovery(served: (path: string) => boolean): Promise<Record<string, unknown>> {
      const now = clock.now();
      if (!cached || now - cached.builtAt >= DISCOVERY_TTL_MS) {
        cached = { document: await build(served), builtAt: now };
      }
      return cached.document;
    },
  };
}
