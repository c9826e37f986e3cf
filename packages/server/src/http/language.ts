import { asLanguage, fromAcceptLanguage, type Language, pickLanguage } from "@gatehouse/protocol";
import type { FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The default language of the request's pool, once the pool is known (app-scoped routes). */
    poolLanguage?: Language;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The language the caller names (`x-authing-lang`, then Accept-Language), if it names one we speak. */
export function languageNamed(request: FastifyRequest): Language | undefined {
  return (
    asLanguage(header(request, "x-authing-lang")) ?? fromAcceptLanguage(header(request, "accept-language"))
  );
}

/**
 * The language a request is answered in: `x-authing-lang`, then Accept-Language, then the pool's
 * default language (docs/behaviour-and-errors.md §3.7).
 */
export function languageOf(request: FastifyRequest): Language {
  return pickLanguage({
    xAuthingLang: header(request, "x-authing-lang"),
    acceptLanguage: header(request, "accept-language"),
    poolDefault: request.poolLanguage,
  });
}
