import { ApiError, OAuthError } from "../../../errors.js";
import type { ResolvedAccessKey } from "../../admin/access-keys.js";
import { type PresentedClient, sameSecret } from "../../auth/client-auth.js";
import { SUPPORTED_SCOPES } from "../../tokens/claims.js";
import type { GrantDeps } from "./index.js";
import type { Grant } from "./types.js";

/** RFC 6749 §3.3: a scope token is printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const USER_SCOPES: ReadonlySet<string> = new Set(SUPPORTED_SCOPES);

/**
 * An access key as a client: its id and secret, in the body or a Basic header (the official SDK's
 * `getAccessTokenByClientCredentials` posts them as `client_id`/`client_secret`). A disabled or
 * unknown key fails like a wrong secret.
 */
export async function authenticateAccessKey(
  accessKeys: GrantDeps["accessKeys"],
  presented: PresentedClient,
): Promise<ResolvedAccessKey> {
  const fail = () => new ApiError("CLIENT_AUTH_FAILED");
  const { clientId, clientSecret } = presented;
  if (!clientId || clientId.length > 64 || clientSecret === undefined) throw fail();
  const key = await accessKeys.resolve(clientId);
  if (!key || !sameSecret(clientSecret, key.secret)) throw fail();
  return key;
}

/**
 * What a key may ask for (docs/oidc-tokens.md §Client credentials). An access key administers its
 * whole pool, so it may carry any scope its resource servers define — except the scopes that
 * describe a user (`openid`, `profile`, `offline_access` …): the token names no user and gets no
 * refresh token. This is the one check to change once keys carry their own scope lists.
 */
export function assertMachineScope(scope: string | undefined): string {
  const wanted = [...new Set((scope ?? "").split(" ").filter(Boolean))];
  for (const s of wanted) {
    if (!SCOPE_TOKEN.test(s))
      throw new OAuthError("invalid_scope", "scope holds a character RFC 6749 §3.3 forbids");
    if (USER_SCOPES.has(s)) {
      throw new OAuthError(
        "invalid_scope",
        `scope ${s} describes a user; a client-credentials token names no user`,
      );
    }
  }
  return wanted.join(" ");
}

/** `grant_type=client_credentials` (RFC 6749 §4.4): an access key gets a token for itself. */
export function clientCredentialsGrant({
  accessKeys,
  clientTokens,
}: Pick<GrantDeps, "accessKeys" | "clientTokens">): Grant {
  return {
    async exchange({ body, client }) {
      const key = await authenticateAccessKey(accessKeys, client);
      return clientTokens.issue(key, assertMachineScope(body.scope));
    },
  };
}
