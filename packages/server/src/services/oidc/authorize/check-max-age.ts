import { type AuthorizeDraft, AuthorizeError } from "./types.js";

/** `max_age`: whole seconds, 0 or more. */
export function checkMaxAge(draft: AuthorizeDraft): void {
  const raw = draft.raw.max_age;
  if (raw === undefined || raw === "") return;
  if (!/^\d{1,10}$/.test(raw))
    throw new AuthorizeError("invalid_request", "max_age must be a whole number of seconds");
  draft.maxAge = Number(raw);
}
