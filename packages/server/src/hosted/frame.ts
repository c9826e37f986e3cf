import type { PoolSettings } from "@gatehouse/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Brand, brandOf } from "./branding.js";
import { pageCsp } from "./csp.js";
import { chooseLocale, type Locale } from "./locale.js";
import { fill, type Texts, textsFor } from "./texts/index.js";

/** What every page's layout shows: language, texts, brand, the CSRF token, asset URLs. */
export interface Frame {
  locale: Locale;
  t: Texts;
  brand: Brand;
  csrf: string;
  css: string;
  /** The account page's script file (progressive enhancement only). */
  js: string;
  /** `/assets/v-<hash>`: where the pages' scripts are. */
  assets: string;
  /** A link or form action on these pages, keeping a language chosen by `ui_locales`. */
  link: (path: string) => string;
  /** The same page in the other language. */
  switchUrl: string;
  fill: typeof fill;
}

export interface FrameInput {
  poolName: string;
  settings: PoolSettings;
  /** The authorization request's `ui_locales`, when the page belongs to one. */
  uiLocales?: string;
  /** The page's own address (what GET shows it), for the language switch. */
  pagePath: string;
}

export type FrameMaker = (request: FastifyRequest, reply: FastifyReply, input: FrameInput) => Frame;

/** Builds a page's frame; `assetsBase` is `/assets/v-<hash>`. */
export function frameMaker(assetsBase: string): FrameMaker {
  return (request, reply, { poolName, settings, uiLocales, pagePath }) => {
    const query = request.query as { ui_locales?: string } | undefined;
    const asked = typeof query?.ui_locales === "string" ? query.ui_locales : undefined;
    const locale = chooseLocale(
      [asked, uiLocales],
      request.headers["accept-language"],
      settings.defaultLanguage,
    );
    const other: Locale = locale === "zh-CN" ? "en-US" : "zh-CN";
    const withLocale = (path: string, l: Locale) => `${path}${path.includes("?") ? "&" : "?"}ui_locales=${l}`;
    return {
      locale,
      t: textsFor(locale),
      brand: brandOf(poolName, settings),
      csrf: reply.generateCsrf(),
      css: `${assetsBase}/hosted.css`,
      js: `${assetsBase}/account.js`,
      assets: assetsBase,
      link: (path) => (asked ? withLocale(path, locale) : path),
      switchUrl: withLocale(pagePath, other),
      fill,
    };
  };
}

/** Renders a page with its own CSP; pages are never cached (they carry a CSRF token). */
export async function sendPage(
  reply: FastifyReply,
  template: string,
  frame: Frame,
  data: Record<string, unknown>,
  options: { status?: number; formOrigins?: string[]; scripts?: boolean; scriptNonce?: string } = {},
): Promise<FastifyReply> {
  const csp = pageCsp({
    styleHash: frame.brand.styleHash,
    imageOrigins: frame.brand.logoOrigin ? [frame.brand.logoOrigin] : [],
    formOrigins: options.formOrigins,
    scripts: options.scripts,
    scriptNonce: options.scriptNonce,
  });
  const html = await reply.viewAsync(template, { ...frame, ...data, scripts: options.scripts === true });
  return reply
    .code(options.status ?? 200)
    .header("content-security-policy", csp)
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .type("text/html; charset=utf-8")
    .send(html);
}
