/** The JWT `typ` of every access token, a user's or a machine's (RFC 9068 §2.1). */
export const ACCESS_TYP = "at+jwt";

/**
 * The `gty` claim of a client-credentials token: it names an access key, not a user, and carries
 * no `sid` (docs/oidc-tokens.md §Client credentials).
 */
export const CLIENT_CREDENTIALS_GTY = "client_credentials";

export const isClientCredentialsToken = (claims: Record<string, unknown>): boolean =>
  claims.gty === CLIENT_CREDENTIALS_GTY;
