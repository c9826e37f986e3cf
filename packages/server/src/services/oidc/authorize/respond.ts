import type { AuthorizeOutcome, ResponseMode } from "./types.js";

/**
 * The authorization response to the client, in its response mode (OAuth 2.0 Multiple Response
 * Type Encoding Practices; Form Post Response Mode): query or fragment on the redirect URI, the
 * parameters for an auto-submitting form, or for a page that posts them to its opener or parent
 * (web_message, docs/oidc-provider.md §Web message).
 */
export function authorizationResponse(
  target: { redirectUri: string; responseMode: ResponseMode },
  params: Record<string, string | undefined>,
): AuthorizeOutcome {
  const defined: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) defined[k] = v;
  if (target.responseMode === "form_post") {
    return { type: "form_post", action: target.redirectUri, params: defined };
  }
  if (target.responseMode === "web_message") {
    return { type: "web_message", origin: new URL(target.redirectUri).origin, params: defined };
  }
  const url = new URL(target.redirectUri);
  if (target.responseMode === "query") {
    for (const [k, v] of Object.entries(defined)) url.searchParams.set(k, v);
    return { type: "redirect", location: url.toString() };
  }
  url.hash = new URLSearchParams(defined).toString();
  return { type: "redirect", location: url.toString() };
}

/** An error response (RFC 6749 §4.1.2.1): `error`, `error_description`, `state`. */
export function errorResponse(
  target: { redirectUri: string; responseMode: ResponseMode },
  error: string,
  description: string,
  state: string | undefined,
): AuthorizeOutcome {
  return authorizationResponse(target, { error, error_description: description, state });
}
