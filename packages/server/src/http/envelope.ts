import { API_V2_PREFIX, API_V3_PREFIX, type Language } from "@gatehouse/protocol";
import type { ErrorObject } from "ajv";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ApiError, bilingual } from "../errors.js";
import { isStorageUnavailable } from "../storage/unavailable.js";
import { languageNamed, languageOf } from "./language.js";
import { validationField, validationTexts } from "./validation.js";

export interface Envelope<T = unknown> {
  statusCode: number;
  message: string;
  apiCode?: number;
  requestId?: string;
  data?: T;
  /** The whole path of the field a validation message names, where its name alone is ambiguous. */
  field?: string;
}

/** The success envelope: handlers `return ok(request, data)`. */
export function ok<T>(request: FastifyRequest, data: T): Envelope<T> & { data: T };
export function ok(request: FastifyRequest): Envelope<never>;
export function ok<T>(request: FastifyRequest, data?: T): Envelope<T> {
  const body: Envelope<T> = { statusCode: 200, message: "Success", requestId: request.id };
  if (data !== undefined) body.data = data;
  return body;
}

/** Maps anything thrown to an ApiError. Unknown errors become INTERNAL (logged, never shown). */
export function toApiError(err: unknown): { error: ApiError; unexpected: boolean } {
  if (err instanceof ApiError) return { error: err, unexpected: false };
  const e = err as {
    code?: string;
    statusCode?: number;
    validation?: ErrorObject[];
    validationContext?: string;
    message?: string;
  };
  if (Array.isArray(e?.validation)) {
    const texts = validationTexts(e.validation, e.validationContext);
    const field = validationField(e.validation, e.validationContext);
    return { error: new ApiError("INVALID_REQUEST", { texts, field }), unexpected: false };
  }
  switch (e?.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { error: new ApiError("UNSUPPORTED_MEDIA_TYPE"), unexpected: false };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { error: new ApiError("PAYLOAD_TOO_LARGE"), unexpected: false };
  }
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own client errors (empty JSON body, forbidden prototype property, bad header…)
    // carry safe, specific messages.
    // Their text is English: the Chinese answer names it after its own words.
    const texts = bilingual(`请求不合法（${e.message}）`, e.message ?? "Invalid request");
    return { error: new ApiError("INVALID_REQUEST", { texts }), unexpected: false };
  }
  if (isStorageUnavailable(err)) return { error: new ApiError("SERVICE_UNAVAILABLE"), unexpected: true };
  return { error: new ApiError("INTERNAL"), unexpected: true };
}

export function envelopeFor(request: FastifyRequest, error: ApiError): Envelope {
  const body: Envelope = {
    statusCode: error.statusCode,
    message: error.messageIn(languageOf(request)),
    requestId: request.id,
  };
  if (error.apiCode !== undefined) body.apiCode = error.apiCode;
  if (error.data !== undefined) body.data = error.data;
  if (error.field !== undefined) body.field = error.field;
  return body;
}

export interface EnvelopeOptions {
  /**
   * The default language of the request's pool when no route hook has read it yet (an error found
   * before the route's authentication, such as a schema error); undefined when none is named.
   */
  poolLanguage?: (request: FastifyRequest) => Promise<Language | undefined>;
  /**
   * What an error means for this request when that takes a read (the token's user deleted while
   * the request ran, http/user-auth.ts); undefined leaves it to `toApiError`.
   */
  explain?: (err: unknown, request: FastifyRequest) => Promise<ApiError | undefined>;
}

/**
 * The only place error bodies are written (docs/architecture.md, habit 3). `/api/v3/*` (and the few `/api/v2/*` paths) answer HTTP 200 with
 * the envelope as GenAuth does (the official SDK throws on any non-2xx); other paths use the
 * envelope's statusCode as the HTTP status. `/oidc/*` registers its own OAuth error handler.
 */
async function envelopePlugin(app: FastifyInstance, options: EnvelopeOptions) {
  /** A caller that names no language reads the pool's default, found here if the route has not yet. */
  const readPoolLanguage = async (request: FastifyRequest) => {
    if (request.poolLanguage !== undefined || !options.poolLanguage || languageNamed(request)) return;
    request.poolLanguage = await options.poolLanguage(request).catch(() => undefined);
  };
  app.setErrorHandler(async (err, request, reply) => {
    const explained = await options.explain?.(err, request).catch(() => undefined);
    const { error, unexpected } = explained ? { error: explained, unexpected: false } : toApiError(err);
    if (unexpected) request.log.error({ err }, "request failed");
    // An unexpected error may be the storage failing: no further read for it.
    else await readPoolLanguage(request);
    sendError(request, reply, error);
    return reply;
  });
  app.setNotFoundHandler(async (request, reply) => {
    await readPoolLanguage(request);
    sendError(
      request,
      reply,
      new ApiError("NOT_FOUND", {
        params: { endpoint: `${request.method} ${request.url.split("?")[0]}` },
      }),
    );
    return reply;
  });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): void {
  const enveloped = request.url.startsWith(API_V3_PREFIX) || request.url.startsWith(API_V2_PREFIX);
  const httpStatus = enveloped ? 200 : error.statusCode;
  // Plain JSON: a route's response schema describes its success body (e.g. a required `data`),
  // which an error envelope must not be forced through.
  reply
    .code(httpStatus)
    .type("application/json; charset=utf-8")
    .serializer(JSON.stringify)
    .send(envelopeFor(request, error));
}

export default fp(envelopePlugin, { name: "envelope" });
