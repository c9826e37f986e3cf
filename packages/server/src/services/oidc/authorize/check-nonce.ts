import { type AuthorizeDraft, AuthorizeError } from "./types.js";

/**
 * `nonce` is required when an ID token comes back from the authorization endpoint: the implicit
 * types and the hybrid ones with `id_token` (OpenID Connect Core §3.2.2.1, §3.3.2.11).
 */
export function checkNonce(draft: AuthorizeDraft): void {
  const nonce = draft.raw.nonce;
  if (nonce) {
    draft.nonce = nonce;
    return;
  }
  if (draft.responseType?.split(" ").includes("id_token"))
    throw new AuthorizeError("invalid_request", `nonce is required for response_type ${draft.responseType}`);
}
