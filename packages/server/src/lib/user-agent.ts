import Bowser from "bowser";

/**
 * A User-Agent header read for people (login history, the account page's sessions). Browsers,
 * systems and device kinds come from `bowser`, a maintained parser; the HTTP clients it does not
 * name (the SDK's axios, Node's fetch, curl) are named here.
 */
export interface ParsedUserAgent {
  /** "mobile", "tablet", "desktop", "tv", "bot"; empty without a header. */
  device: string;
  /** The browser or client: "Chrome", "Safari", "axios"…; empty when unknown. */
  name: string;
  os: string;
}

const CLIENTS: [RegExp, string][] = [
  [/axios\//, "axios"],
  [/node-fetch|undici|Node\.js/, "Node.js"],
  [/curl\//, "curl"],
];

/** Headers are bounded before parsing: no real one is longer. */
const MAX_LENGTH = 1024;

/** One parse: the fields both readers show, and the browser's major version. */
function read(ua: string | null | undefined): ParsedUserAgent & { version: string } {
  const text = (ua ?? "").slice(0, MAX_LENGTH);
  if (!text) return { device: "", name: "", os: "", version: "" };
  const parsed = Bowser.parse(text);
  const name = parsed.browser.name ?? CLIENTS.find(([re]) => re.test(text))?.[1] ?? "";
  const version = (parsed.browser.version ?? "").split(".")[0] ?? "";
  return { device: parsed.platform.type ?? "desktop", name, os: parsed.os.name ?? "", version };
}

export function parseUserAgent(ua: string | null | undefined): ParsedUserAgent {
  const { device, name, os } = read(ua);
  return { device, name, os };
}

/** The browser's version too, for the account page's list of sessions ("Chrome 131 · macOS"). */
export function describeUserAgent(ua: string | null | undefined): ParsedUserAgent & { version: string } {
  return read(ua);
}
