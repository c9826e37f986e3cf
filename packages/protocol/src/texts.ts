import { type ApiErrorKey, apiErrors, LANGUAGES, type Language } from "./errors.js";

/**
 * The caller's language and the registry's texts in it (docs/behaviour-and-errors.md §3.7), for
 * the API's envelopes and the hosted pages alike.
 */

/** `{name}` placeholders replaced by their values; unknown names are left as they are. */
export function fillIn(text: string, params?: Readonly<Record<string, string>>): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? params[name]! : whole,
  );
}

/** The registry's message for `key` in `language`, placeholders filled in. */
export function errorText(
  key: ApiErrorKey,
  language: Language,
  params?: Readonly<Record<string, string>>,
): string {
  return fillIn(apiErrors[key].message[language], params);
}

/** A language tag as one of ours: `zh`, `zh-CN`, `zh-Hans`… → zh-CN; `en`, `en-GB`… → en-US. */
export function asLanguage(tag: string | undefined): Language | undefined {
  const t = tag?.trim().toLowerCase();
  if (!t) return undefined;
  const exact = LANGUAGES.find((l) => l.toLowerCase() === t);
  if (exact) return exact;
  const primary = t.split(/[-_]/)[0];
  if (primary === "zh") return "zh-CN";
  if (primary === "en") return "en-US";
  return undefined;
}

/** The first language of an Accept-Language header we speak, by its q weights (RFC 9110 §12.5.4). */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .slice(0, 512)
    .split(",")
    .map((part, i) => {
      const [tag, ...rest] = part.trim().split(";");
      const q = rest.map((r) => /^\s*q=([0-9.]+)\s*$/.exec(r)?.[1]).find((v) => v !== undefined);
      return { tag: tag ?? "", q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const language = asLanguage(r.tag);
    if (language) return language;
  }
  return undefined;
}

/**
 * The language of an answer: `x-authing-lang` (what GenAuth's SDKs send), then Accept-Language,
 * then the pool's default language, then English.
 */
export function pickLanguage(sources: {
  xAuthingLang?: string;
  acceptLanguage?: string;
  poolDefault?: Language;
}): Language {
  return (
    asLanguage(sources.xAuthingLang) ??
    fromAcceptLanguage(sources.acceptLanguage) ??
    sources.poolDefault ??
    "en-US"
  );
}
