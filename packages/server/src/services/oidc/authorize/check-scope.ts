import { grantScope, scopeSet } from "../../tokens/claims.js";
import { type AuthorizeDraft, AuthorizeError } from "./types.js";

/**
 * The scope granted: the known scopes asked for; `openid` is required at /oidc/auth (an OpenID
 * Connect request), not at /oidc's plain OAuth sibling.
 */
export function checkScope(draft: AuthorizeDraft, options: { requireOpenid: boolean }): void {
  const raw = draft.raw.scope;
  if (options.requireOpenid && !scopeSet(raw ?? "").has("openid"))
    throw new AuthorizeError("invalid_scope", "scope must include openid");
  draft.scope = grantScope(raw);
}
