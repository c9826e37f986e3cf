import { type AuthorizeDraft, AuthorizeError, type ResponseMode } from "./types.js";

export const RESPONSE_MODES: readonly ResponseMode[] = ["query", "fragment", "form_post"];

/** `response_mode`, when given, is one of query, fragment, form_post (the default follows the response type). */
export function checkResponseMode(draft: AuthorizeDraft): void {
  const mode = draft.raw.response_mode;
  if (mode === undefined || mode === "") return;
  if (!(RESPONSE_MODES as readonly string[]).includes(mode))
    throw new AuthorizeError("invalid_request", `response_mode ${mode} is not supported`);
  draft.responseMode = mode as ResponseMode;
}

/**
 * The response mode once the type is known: the default is query for `code` and fragment for the
 * types that return tokens in the front channel, which must never travel in a query.
 */
export function settleResponseMode(draft: AuthorizeDraft): void {
  const type = draft.responseType;
  if (!type) return;
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
