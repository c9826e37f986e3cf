import { type ApiErrorKey, apiErrors } from "@gatehouse/protocol";

/** The one error type services throw; the envelope plugin renders it (docs/architecture.md, habit 3). */
export class ApiError extends Error {
  readonly key: ApiErrorKey;
  readonly statusCode: number;
  readonly apiCode?: number;
  readonly data?: unknown;

  /** Values of the registry text's `{placeholders}`, e.g. `{ field: "email" }`. */
  readonly params?: Record<string, string>;

  constructor(
    key: ApiErrorKey,
    opts: { message?: string; data?: unknown; params?: Record<string, string> } = {},
  ) {
    const def = apiErrors[key] as { statusCode: number; apiCode?: number; message: string };
    super(opts.message ?? fillIn(def.message, opts.params));
    this.name = "ApiError";
    this.key = key;
    this.params = opts.params;
    this.statusCode = def.statusCode;
    this.apiCode = def.apiCode;
    this.data = opts.data;
  }
}

/** `{name}` placeholders replaced by their values (unknown names are left as they are). */
export function fillIn(text: string, params: Record<string, string> | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? params[name]! : whole,
  );
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
