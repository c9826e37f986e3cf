import type { PoolSettings } from "@gatehouse/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ApiError } from "../errors.js";
import { defaultPoolSettings } from "../services/users/pool-settings.js";
import { isStorageUnavailable } from "../storage/unavailable.js";
import { brandOf } from "./branding.js";
import { pageCsp } from "./csp.js";
import { assetsBase, eta } from "./engine.js";
import { chooseLocale } from "./locale.js";
import { type Texts, textsFor } from "./texts/index.js";

/**
 * An error a page shows in words: a key of the texts' `errors` table and an HTTP status. Errors of
 * the registry (ApiError) are shown by their key; the page's own ones are here.
 */
export class PageError extends Error {
  constructor(
    readonly textKey: string,
    readonly statusCode: number,
  ) {
    super(textKey);
  }
}

/** The words for an error: the texts' entry for its key, else a generic sentence. */
export function errorText(t: Texts, err: unknown): string {
  return t.errors[classify(err).textKey] ?? t.errors.OTHER ?? "";
}

/** What anything thrown on a page means to the person in front of it, and the status to answer. */
export function classify(err: unknown): { textKey: string; statusCode: number; unexpected: boolean } {
  if (err instanceof PageError)
    return { textKey: err.textKey, statusCode: err.statusCode, unexpected: false };
  if (err instanceof ApiError) {
    return {
      textKey: err.key in textsFor("en-US").errors ? err.key : "OTHER",
      statusCode: err.statusCode,
      unexpected: false,
    };
  }
  const e = err as { code?: string; statusCode?: number; validation?: unknown };
  if (e?.validation) return { textKey: "FORM_INVALID", statusCode: 400, unexpected: false };
  switch (e?.code) {
    case "FST_CSRF_INVALID_TOKEN":
    case "FST_CSRF_MISSING_SECRET":
      return { textKey: "CSRF", statusCode: 403, unexpected: false };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { textKey: "PAYLOAD_TOO_LARGE", statusCode: 413, unexpected: false };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { textKey: "UNSUPPORTED_MEDIA_TYPE", statusCode: 415, unexpected: false };
  }
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500)
    return { textKey: "FORM_INVALID", statusCode: e.statusCode, unexpected: false };
  if (isStorageUnavailable(err)) return { textKey: "SERVICE_UNAVAILABLE", statusCode: 503, unexpected: true };
  return { textKey: "INTERNAL", statusCode: 500, unexpected: true };
}

export interface ErrorPageInput {
  statusCode: number;
  /** A key of the texts' `errors` table. */
  textKey?: string;
  /** A sentence of the protocol (an OAuth `error_description`), shown under the explanation. */
  detail?: string;
  poolName?: string;
  settings?: PoolSettings;
  /** The authorization request's `ui_locales`, when the error is on one of its pages. */
  uiLocales?: string;
}

/**
 * An error on an interaction's page is shown in its pool's colours and language, when the
 * interaction can still be read; anything else in the defaults.
 */
export async function errorContext(
  ctx: Pick<Context, "oidc" | "auth">,
  request: FastifyRequest,
): Promise<Pick<ErrorPageInput, "poolName" | "settings" | "uiLocales">> {
  const uid = (request.params as { uid?: unknown } | undefined)?.uid;
  if (typeof uid !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(uid)) return {};
  try {
    const interaction = await ctx.oidc.interactions.find(uid);
    if (!interaction) return {};
    const scope = await ctx.auth.resolveScope(interaction.appId);
    return { poolName: scope.pool.name, settings: scope.settings, uiLocales: interaction.uiLocales };
  } catch {
    return {};
  }
}

/**
 * The error page (docs/hosted-pages.md, "Errors"): what happened in words, in the visitor's
 * language, with the request id to quote; never a stack trace.
 */
export function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  input: ErrorPageInput,
): FastifyReply {
  const settings = input.settings ?? defaultPoolSettings();
  const query = request.query as { ui_locales?: unknown } | undefined;
  const asked = typeof query?.ui_locales === "string" ? query.ui_locales : undefined;
  const locale = chooseLocale(
    [asked, input.uiLocales],
    request.headers["accept-language"],
    settings.defaultLanguage,
  );
  const t = textsFor(locale);
  const brand = brandOf(input.poolName ?? "Gatehouse", settings);
  const html = eta.render("error", {
    locale,
    t,
    brand,
    css: `${assetsBase()}/hosted.css`,
    message: t.errors[input.textKey ?? "OTHER"] ?? t.errors.OTHER,
    detail: input.detail,
    requestId: request.id,
  });
  return reply
    .code(input.statusCode)
    .header("content-security-policy", pageCsp({ styleHash: brand.styleHash }))
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .type("text/html; charset=utf-8")
    .send(html);
}
