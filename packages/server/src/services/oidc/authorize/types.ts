import type { ApplicationRow } from "../../../storage/repos/applications.js";

export type ResponseMode = "query" | "fragment" | "form_post" | "web_message";

/** An authorization request once every check passed (docs/oidc-provider.md §Authorization request). */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** Its words sorted: "code", "code id_token", "id_token token" … */
  responseType: string;
  responseMode: ResponseMode;
  /** Space-separated, as granted to the client. */
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  /** The words of `prompt`. */
  prompt: string[];
  /** seconds */
  maxAge?: number;
  loginHint?: string;
  uiLocales?: string;
  /** The words of `acr_values` (docs/mfa.md §amr and acr). */
  acrValues?: string[];
  /**
   * A page of this server the sign-in returns to instead of answering a client (the account page,
   * docs/account-page.md). Set only by the server itself, never from request parameters.
   */
  returnTo?: string;
}

/** The parameters as the client sent them (query or form); every one optional and untrusted. */
export type RawAuthorizationParams = Record<string, string | undefined>;

/** What the checks build up, one field per check. */
export interface AuthorizeDraft {
  raw: RawAuthorizationParams;
  app?: ApplicationRow;
  redirectUri?: string;
  responseType?: string;
  responseMode?: ResponseMode;
  scope?: string;
  prompt?: string[];
  maxAge?: number;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  nonce?: string;
}

/** The authorization-endpoint errors of RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6. */
export type AuthorizeErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "unauthorized_client"
  | "access_denied"
  | "unsupported_response_type"
  | "invalid_scope"
  | "server_error"
  | "temporarily_unavailable"
  | "interaction_required"
  | "login_required"
  | "consent_required"
  | "request_not_supported"
  | "request_uri_not_supported";

/**
 * An error of the authorization endpoint. `redirectable` errors go back to the client's redirect
 * URI; the others (unknown client, unregistered redirect URI) are shown on the error page and
 * never redirected to (RFC 6749 §4.1.2.1).
 */
export class AuthorizeError extends Error {
  constructor(
    readonly error: AuthorizeErrorCode,
    readonly description: string,
    readonly redirectable = true,
  ) {
    super(description);
    this.name = "AuthorizeError";
  }
}

/**
 * How the endpoint answers: a redirect, an auto-submitting form to the client (form_post), or a
 * page that posts the response to the window that opened or framed it (web_message), only to
 * `origin`, the origin of the registered redirect URI.
 */
export type AuthorizeOutcome =
  | { type: "redirect"; location: string }
  | { type: "form_post"; action: string; params: Record<string, string> }
  | { type: "web_message"; origin: string; params: Record<string, string> };
