import { type AuthorizeDraft, AuthorizeError } from "./types.js";

const PROMPTS = ["none", "login", "consent", "select_account"];

/** `prompt` words are known, and `none` stands alone (OpenID Connect Core §3.1.2.1). */
export function checkPrompt(draft: AuthorizeDraft): void {
  const words = [...new Set((draft.raw.prompt ?? "").split(" ").filter(Boolean))];
  const unknown = words.find((w) => !PROMPTS.includes(w));
  if (unknown) throw new AuthorizeError("invalid_request", `prompt ${unknown} is not supported`);
  if (words.includes("none") && words.length > 1)
    throw new AuthorizeError("invalid_request", "prompt none must be used alone");
  draft.prompt = words;
}
