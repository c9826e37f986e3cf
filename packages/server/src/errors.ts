import {
  type ApiErrorDef,
  type ApiErrorKey,
  apiErrors,
  errorText,
  type Language,
  type Texts,
} from "@gatehouse/protocol";

/** The one error type services throw; the envelope plugin renders it (docs/architecture.md, habit 3). */
export class ApiError extends Error {
  readonly key: ApiErrorKey;
  readonly statusCode: number;
  readonly apiCode?: number;
  readonly data?: unknown;
  /** Values of the registry text's `{placeholders}`, e.g. `{ field: "email" }`. */
  readonly params?: Readonly<Record<string, string>>;
  /**
   * A message about this one request, in every language; it wins over the registry's texts. There
   * is no English-only form: a caller reads zh-CN as well as en-US (docs/behaviour-and-errors.md §3.7).
   */
  readonly texts?: Texts;
  /** The whole path of the field a validation message names (`options.pagination.limit`). */
  readonly field?: string;

  constructor(
    key: ApiErrorKey,
    opts: { data?: unknown; params?: Record<string, string>; texts?: Texts; field?: string } = {},
  ) {
    super(opts.texts?.["en-US"] ?? errorText(key, "en-US", opts.params));
    this.name = "ApiError";
    this.key = key;
    const def = apiErrors[key] as ApiErrorDef;
    this.statusCode = def.statusCode;
    this.apiCode = def.apiCode;
    this.data = opts.data;
    this.params = opts.params;
    this.texts = opts.texts;
    this.field = opts.field;
  }

  /** The message in `language` (docs/behaviour-and-errors.md §3.7). */
  messageIn(language: Language): string {
    return this.texts?.[language] ?? errorText(this.key, language, this.params);
  }
}

/** A message about one request in both languages, for `new ApiError(key, { texts })`. */
export function bilingual(zh: string, en: string): Texts {
  return { "zh-CN": zh, "en-US": en };
}

/**
 * The answer of a "check" call (`isValid`, and why not): its reason in both languages, rendered in
 * the caller's by the route (checkAnswerIn), like an error's message.
 */
export type CheckAnswer = { isValid: true } | { isValid: false; why: Texts };

export function checkAnswerIn(
  answer: CheckAnswer,
  language: Language,
): { isValid: boolean; message?: string } {
  return answer.isValid ? { isValid: true } : { isValid: false, message: answer.why[language] };
}

/**
 * A parameter a rule (not the schema) requires: the validation message's wording in both
 * languages (docs/behaviour-and-errors.md §3.6); `en` may say when it is required.
 */
export function missingParam(field: string, en = `${field} is required`): ApiError {
  return new ApiError("INVALID_REQUEST", { texts: bilingual(`缺少参数 ${field}`, en) });
}

/** A request-specific INVALID_REQUEST message in both languages. */
export function invalidRequest(zh: string, en: string): ApiError {
  return new ApiError("INVALID_REQUEST", { texts: bilingual(zh, en) });
}

/**
 * A standard OAuth 2.0 error (RFC 6749 §5.2, RFC 6750 §3.1) for /oidc/*, rendered by the oidc
 * plugin as `{error, error_description}` with a real HTTP status.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_token"
  | "unsupported_token_type"
  | "server_error"
  | "temporarily_unavailable";

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_token: 401,
  unsupported_token_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
};

export class OAuthError extends Error {
  readonly status: number;
  constructor(
    readonly error: OAuthErrorCode,
    readonly description?: string,
  ) {
    super(description ?? error);
    this.name = "OAuthError";
    this.status = STATUS[error];
  }
}
