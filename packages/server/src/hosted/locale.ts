/** The hosted pages' languages and how a request picks one (docs/hosted-pages.md, "Language"). */
export const LOCALES = ["zh-CN", "en-US"] as const;
export type Locale = (typeof LOCALES)[number];

/** A language tag as one of ours: any `zh…` is zh-CN, any `en…` en-US; others are not ours. */
function ours(tag: string): Locale | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === "zh") return "zh-CN";
  if (primary === "en") return "en-US";
  return undefined;
}

/** OIDC `ui_locales`: space-separated tags, most preferred first. */
export function fromUiLocales(value: string | undefined): Locale | undefined {
  if (!value) return undefined;
  for (const tag of value.slice(0, 200).split(/\s+/)) {
    const found = ours(tag);
    if (found) return found;
  }
  return undefined;
}

/** `Accept-Language`: the highest-weighted tag that is one of ours (weight 0 means "not this"). */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  let best: { locale: Locale; q: number } | undefined;
  for (const part of header.slice(0, 500).split(",").slice(0, 20)) {
    const [tag = "", ...params] = part.split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const locale = ours(tag);
    if (!locale || !(q > 0)) continue;
    if (!best || q > best.q) best = { locale, q };
  }
  return best?.locale;
}

/** `ui_locales` first (the query's, then the authorization request's), then the browser, then the pool. */
export function chooseLocale(
  uiLocales: (string | undefined)[],
  acceptLanguage: string | undefined,
  poolDefault: Locale,
): Locale {
  for (const value of uiLocales) {
    const found = fromUiLocales(value);
    if (found) return found;
  }
  return fromAcceptLanguage(acceptLanguage) ?? poolDefault;
}
