import { appConfig, tokenEndpointAuthMethod } from "../../tokens/app-config.js";
import { type AuthorizeDraft, AuthorizeError } from "./types.js";

/** RFC 7636 §4.2: 43 to 128 unreserved characters. */
const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * PKCE (RFC 7636): S256; `plain` only where the application allows it; required for public
 * clients (`token_endpoint_auth_method: none`) whenever a code is asked for.
 */
export function checkPkce(draft: AuthorizeDraft): void {
  const { code_challenge: challenge, code_challenge_method: method } = draft.raw;
  const wantsCode = draft.responseType?.split(" ").includes("code") ?? false;
  if (!draft.app || !wantsCode) return;
  if (challenge === undefined || challenge === "") {
    if (tokenEndpointAuthMethod(draft.app) === "none")
      throw new AuthorizeError("invalid_request", "PKCE is required for public clients: send code_challenge");
    if (method) throw new AuthorizeError("invalid_request", "code_challenge_method without code_challenge");
    return;
  }
  // RFC 7636 §4.3: the method defaults to plain.
  const m = method || "plain";
  if (m !== "S256" && m !== "plain")
    throw new AuthorizeError("invalid_request", `code_challenge_method ${m} is not supported`);
  if (m === "plain" && !appConfig(draft.app).allowPlainPkce)
    throw new AuthorizeError("invalid_request", "code_challenge_method plain is not allowed; use S256");
  if (!CHALLENGE.test(challenge)) throw new AuthorizeError("invalid_request", "code_challenge is malformed");
  draft.codeChallenge = challenge;
  draft.codeChallengeMethod = m;
}
