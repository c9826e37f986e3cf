import type { Repositories } from "../../../storage/repos/index.js";
import { checkClient } from "./check-client.js";
import { checkMaxAge } from "./check-max-age.js";
import { checkNonce } from "./check-nonce.js";
import { checkPkce } from "./check-pkce.js";
import { checkPrompt } from "./check-prompt.js";
import { checkRedirectUri } from "./check-redirect-uri.js";
import { checkResponseMode } from "./check-response-mode.js";
import { checkResponseType } from "./check-response-type.js";
import { checkScope } from "./check-scope.js";
import {
  type AuthorizationRequest,
  type AuthorizeDraft,
  AuthorizeError,
  type RawAuthorizationParams,
} from "./types.js";

export interface ValidateOptions {
  /** /oidc/auth: an OpenID Connect request, `openid` required; /oauth/auth answers no ID token. */
  requireOpenid: boolean;
}

/**
 * The authorization request's checks, in order, one rule each (docs/oidc-provider.md
 * §Authorization request): first those whose failure is shown on the error page (client,
 * redirect URI), then those whose failure goes back to the client.
 */
export async function validateAuthorization(
  raw: RawAuthorizationParams,
  repos: Repositories,
  options: ValidateOptions,
): Promise<{ draft: AuthorizeDraft; request: AuthorizationRequest }> {
  const draft: AuthorizeDraft = { raw };
  await checkClient(draft, repos);
  checkRedirectUri(draft);
  try {
    if (raw.request !== undefined)
      throw new AuthorizeError("request_not_supported", "request objects are not supported");
    if (raw.request_uri !== undefined)
      throw new AuthorizeError("request_uri_not_supported", "request_uri is not supported");
    checkResponseMode(draft);
    checkResponseType(draft, { idTokens: options.requireOpenid });
    checkScope(draft, options);
    checkPrompt(draft);
    checkMaxAge(draft);
    checkPkce(draft);
    checkNonce(draft);
  } catch (err) {
    if (err instanceof AuthorizeError) throw new DraftError(err, draft);
    throw err;
  }
  return { draft, request: toRequest(draft) };
}

/** A redirectable error with what the checks learnt so far (where and how to send it). */
export class DraftError extends Error {
  constructor(
    readonly cause: AuthorizeError,
    readonly draft: AuthorizeDraft,
  ) {
    super(cause.message);
    this.name = "DraftError";
  }
}

function toRequest(d: AuthorizeDraft): AuthorizationRequest {
  const r = d.raw;
  const req: AuthorizationRequest = {
    clientId: d.app?.id ?? "",
    redirectUri: d.redirectUri ?? "",
    responseType: d.responseType ?? "code",
    responseMode: d.responseMode ?? "query",
    scope: d.scope ?? "",
    prompt: d.prompt ?? [],
  };
  if (r.state !== undefined) req.state = r.state;
  if (d.nonce !== undefined) req.nonce = d.nonce;
  if (d.codeChallenge !== undefined) req.codeChallenge = d.codeChallenge;
  if (d.codeChallengeMethod !== undefined) req.codeChallengeMethod = d.codeChallengeMethod;
  if (d.maxAge !== undefined) req.maxAge = d.maxAge;
  if (r.login_hint) req.loginHint = r.login_hint;
  if (r.ui_locales) req.uiLocales = r.ui_locales;
  // Voluntary (OpenID Connect Core §3.1.2.1): unknown values are kept and ignored; "mfa" asks for a second factor.
  if (r.acr_values) req.acrValues = r.acr_values.split(" ").filter(Boolean).slice(0, 10);
  return req;
}
