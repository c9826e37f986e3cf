import type { PoolSettings } from "@gatehouse/protocol";
import { channelActions, codeTexts, type Locale, notificationTexts } from "./texts.js";

type TemplateSettings = Pick<PoolSettings, "messageLocale" | "messageTemplates">;

/** Replaces `{name}` placeholders; unknown names become empty. */
export function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? "");
}

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Plain text as a minimal HTML body (escaped; blank lines become paragraphs). */
export function htmlOf(text: string): string {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/[&<>"']/g, (c) => escapes[c]!).replace(/\n/g, "<br>")}</p>`);
  return `<!doctype html><html><body>${paragraphs.join("")}</body></html>`;
}

/**
 * A pool override from `settings.messageTemplates`: the key `"<kind>.<channel or purpose>"`
 * (e.g. `"sms.CHANNEL_LOGIN"`) wins over the bare key (`"CHANNEL_LOGIN"`); inside, `"<locale>"`
 * is the text and `"<locale>.subject"` the email subject. Missing parts fall back to the defaults.
 */
function override(settings: TemplateSettings, kind: "sms" | "email", key: string) {
  const all = settings.messageTemplates ?? {};
  const entry = all[`${kind}.${key}`] ?? all[key];
  const locale = settings.messageLocale;
  return { text: entry?.[locale], subject: entry?.[`${locale}.subject`] };
}

function localeOf(settings: TemplateSettings): Locale {
  return settings.messageLocale === "en-US" ? "en-US" : "zh-CN";
}

function codeParams(channel: string, code: string, ttlSeconds: number, locale: Locale) {
  return {
    code,
    channel,
    minutes: String(Math.max(1, Math.round(ttlSeconds / 60))),
    action: channelActions[channel]?.[locale] ?? channel,
  };
}

export function codeSmsText(channel: string, code: string, ttlSeconds: number, settings: TemplateSettings) {
  const locale = localeOf(settings);
  const params = codeParams(channel, code, ttlSeconds, locale);
  return fill(override(settings, "sms", channel).text ?? codeTexts[locale].sms, params);
}

export function codeEmail(channel: string, code: string, ttlSeconds: number, settings: TemplateSettings) {
  const locale = localeOf(settings);
  const params = codeParams(channel, code, ttlSeconds, locale);
  const o = override(settings, "email", channel);
  const text = fill(o.text ?? codeTexts[locale].email, params);
  return { subject: fill(o.subject ?? codeTexts[locale].subject, params), text, html: htmlOf(text) };
}

function notificationDefaults(purpose: string, locale: Locale) {
  const t = notificationTexts[purpose]?.[locale];
  if (!t) throw new Error(`unknown notification purpose "${purpose}"`);
  return t;
}

export function notificationSmsText(
  purpose: string,
  params: Record<string, string>,
  settings: TemplateSettings,
) {
  const def = notificationDefaults(purpose, localeOf(settings));
  return fill(override(settings, "sms", purpose).text ?? def.text, params);
}

export function notificationEmail(
  purpose: string,
  params: Record<string, string>,
  settings: TemplateSettings,
) {
  const def = notificationDefaults(purpose, localeOf(settings));
  const o = override(settings, "email", purpose);
  const text = fill(o.text ?? def.text, params);
  return { subject: fill(o.subject ?? def.subject, params), text, html: htmlOf(text) };
}
