import { type AuthorizeDraft, AuthorizeError, type ResponseMode } from "./types.js";

export const RESPONSE_MODES: readonly ResponseMode[] = ["query", "fragment", "form_post", "web_message"];

/**
 * `response_mode`, when given, is one of query, fragment, form_post, web_message (the default
 * follows the response type). web_message posts to the redirect URI's origin, so that URI must
 * have one (an app's own scheme has none).
 */
export function checkResponseMode(draft: AuthorizeDraft): void {
  const mode = draft.raw.response_mode;
  if (mode === undefined || mode === "") return;
  if (!(RESPONSE_MODES as readonly string[]).includes(mode))
    throw new AuthorizeError("invalid_request", `response_mode ${mode} is not supported`);
  if (mode === "web_message" && !hasWebOrigin(draft.redirectUri))
    throw new AuthorizeError(
      "invalid_request",
      "response_mode web_message needs an http or https redirect_uri",
    );
  draft.responseMode = mode as ResponseMode;
}

function hasWebOrigin(uri: string | undefined): boolean {
  if (!uri) return false;
  try {
    const { protocol } = new URL(uri);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * The response mode once the type is known: the default is query for `code` and fragment for the
 * types that return tokens in the front channel, which must never travel in a query.
 */
export function settleResponseMode(draft: AuthorizeDraft, type: string): void {
  const tokensInFront = type !== "code";
  if (draft.responseMode === undefined) {
    draft.responseMode = tokensInFront ? "fragment" : "query";
    return;
  }
  if (tokensInFront && draft.responseMode === "query")
    throw new AuthorizeError(
      "invalid_request",
      `response_mode query is not allowed for response_type ${type}`,
    );
}
