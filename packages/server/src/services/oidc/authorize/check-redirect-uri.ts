import { appConfig } from "../../tokens/app-config.js";
import { type AuthorizeDraft, AuthorizeError } from "./types.js";

/**
 * `redirect_uri` exactly matches one the application registered; when omitted, its first one
 * (the official SDK omits it when none was configured). A mismatch is shown on the error page
 * and never redirected to (RFC 6749 §4.1.2.1).
 */
export function checkRedirectUri(draft: AuthorizeDraft): void {
  if (!draft.app) return;
  const registered = appConfig(draft.app).redirectUris;
  const given = draft.raw.redirect_uri;
  if (given === undefined || given === "") {
    if (registered.length === 0)
      throw new AuthorizeError(
        "invalid_request",
        "redirect_uri is required: the client registered none",
        false,
      );
    draft.redirectUri = registered[0];
    return;
  }
  if (!registered.includes(given))
    throw new AuthorizeError("invalid_request", "redirect_uri is not registered for this client", false);
  draft.redirectUri = given;
}
