import { OAuthError } from "../../../errors.js";
import type { AccessKeys } from "../../admin/access-keys.js";
import type { Auth } from "../../auth/index.js";
import type { ClientTokens } from "../../tokens/client-tokens.js";
import type { TokenSet, Tokens } from "../../tokens/tokens.js";
import { type AuthorizationCodeGrantDeps, authorizationCodeGrant } from "./authorization-code.js";
import { clientCredentialsGrant } from "./client-credentials.js";
import { refreshTokenGrant } from "./refresh-token.js";
import type { Grant, TokenExchange } from "./types.js";

/** Everything a grant may need; each grant's factory takes only the few it uses. */
export interface GrantDeps {
  auth: Pick<Auth, "authenticateClient" | "authenticateEndpointClient">;
  tokens: Tokens;
  accessKeys: Pick<AccessKeys, "resolve">;
  clientTokens: ClientTokens;
  /** The code store and what spending a code touches (docs/oidc-provider.md §Codes). */
  authorizationCodes: AuthorizationCodeGrantDeps;
}

/**
 * The grant types of the token endpoint, one module each; adding a grant is one line here.
 * Discovery's `grant_types_supported` is read from this table (docs/oidc-tokens.md).
 */
const GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
} satisfies Record<string, (deps: GrantDeps) => Grant>;

export const GRANT_TYPES = Object.keys(GRANTS) as (keyof typeof GRANTS)[];

export function createGrants(deps: GrantDeps) {
  const grants = new Map<string, Grant>(GRANT_TYPES.map((type) => [type, GRANTS[type](deps)]));
  return {
    /** The token endpoint: dispatch by `grant_type`; an unknown type is refused before any client check. */
    async exchange(request: TokenExchange): Promise<TokenSet> {
      const grant = grants.get(request.body.grant_type);
      if (!grant) {
        throw new OAuthError(
          "unsupported_grant_type",
          `grant_type ${request.body.grant_type} is not supported`,
        );
      }
      const set = await grant.exchange(request);
      // The /oauth mount speaks OAuth 2.0 only: no ID token (docs/oidc-tokens.md).
      if (request.protocol === "oauth") delete set.id_token;
      return set;
    },
  };
}
export type Grants = ReturnType<typeof createGrants>;
export type { Grant, Protocol, TokenExchange } from "./types.js";
