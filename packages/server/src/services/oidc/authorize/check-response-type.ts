import { appConfig } from "../../tokens/app-config.js";
import { settleResponseMode } from "./check-response-mode.js";
import { type AuthorizeDraft, AuthorizeError } from "./types.js";

/** The types Gatehouse answers, their words sorted (OAuth 2.0 Multiple Response Type Encoding Practices). */
export const RESPONSE_TYPES = [
  "code",
  "id_token",
  "id_token token",
  "code id_token",
  "code token",
  "code id_token token",
] as const;

const normalise = (type: string) => type.trim().split(/\s+/).sort().join(" ");

/**
 * `response_type` is one Gatehouse answers and the application enabled (`code` always is); the
 * OAuth 2.0 mode (`idTokens: false`) answers none with an ID token.
 */
export function checkResponseType(draft: AuthorizeDraft, options: { idTokens: boolean }): void {
  const raw = draft.raw.response_type;
  if (!raw) throw new AuthorizeError("invalid_request", "response_type is required");
  const type = normalise(raw);
  const known = (RESPONSE_TYPES as readonly string[]).includes(type);
  if (!known || (!options.idTokens && type.split(" ").includes("id_token")))
    throw new AuthorizeError("unsupported_response_type", `response_type ${raw} is not supported`);
  draft.responseType = type;
  settleResponseMode(draft, type);
  if (type === "code" || !draft.app) return;
  if (!appConfig(draft.app).responseTypes.map(normalise).includes(type))
    throw new AuthorizeError("unauthorized_client", `response_type ${raw} is not enabled for this client`);
}
