import type { Locale } from "../locale.js";
import { enUS, type Texts } from "./en-US.js";
import { zhCN } from "./zh-CN.js";

export type { Texts };

const byLocale: Record<Locale, Texts> = { "en-US": enUS, "zh-CN": zhCN };

export function textsFor(locale: Locale): Texts {
  return byLocale[locale];
}

/** `{name}` placeholders filled in; the template escapes the result. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
