import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError, OAuthError } from "../errors.js";
import { isStorageUnavailable } from "../storage/unavailable.js";

/** Anything thrown under /oidc as a standard OAuth error (RFC 6749 §5.2). */
export function toOAuthError(err: unknown): { error: OAuthError; unexpected: boolean } {
  if (err instanceof OAuthError) return { error: err, unexpected: false };
  if (err instanceof ApiError) {
    if (err.key === "CLIENT_AUTH_FAILED" || err.key === "APP_NOT_FOUND") {
      return { error: new OAuthError("invalid_client", "client authentication failed"), unexpected: false };
    }
    if (err.key.startsWith("TOKEN_"))
      return { error: new OAuthError("invalid_token", err.message), unexpected: false };
    if (err.statusCode < 500)
      return { error: new OAuthError("invalid_request", err.message), unexpected: false };
    if (err.statusCode === 503) return { error: unavailable(), unexpected: false };
    return { error: new OAuthError("server_error"), unexpected: true };
  }
  const e = err as { validation?: unknown; statusCode?: number; message?: string };
  if (e?.validation || (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500)) {
    return { error: new OAuthError("invalid_request", e.message), unexpected: false };
  }
  // The database or Redis is away: a retryable 503, as /api/v3 answers.
  if (isStorageUnavailable(err)) return { error: unavailable(), unexpected: true };
  return { error: new OAuthError("server_error"), unexpected: true };
}

const unavailable = () =>
  new OAuthError("temporarily_unavailable", "The service is temporarily unavailable; retry later");

/** The error handler of the /oidc plugin: real HTTP statuses, `{error, error_description}`. */
export function oauthErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { error, unexpected } = toOAuthError(err);
  if (unexpected) request.log.error({ err }, "oidc request failed");
  if (error.error === "invalid_client" && /^basic /i.test(request.headers.authorization ?? "")) {
    reply.header("www-authenticate", 'Basic realm="oidc"');
  }
  if (error.error === "invalid_token") {
    reply.header("www-authenticate", `Bearer error="invalid_token"`);
  }
  const body: Record<string, string> = { error: error.error };
  if (error.description) body.error_description = error.description;
  reply
    .code(error.status)
    .header("cache-control", "no-store")
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(body));
}
