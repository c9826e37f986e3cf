/** A small, dependency-free reading of a User-Agent header for login history. */
export interface ParsedUserAgent {
  device: string;
  name: string;
  os: string;
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrome\/|CriOS\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/MicroMessenger\//, "WeChat"],
  [/axios\//, "axios"],
  [/node-fetch|undici|Node\.js/, "Node.js"],
  [/curl\//, "curl"],
];

const SYSTEMS: [RegExp, string][] = [
  [/Windows/, "Windows"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Android/, "Android"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

export function parseUserAgent(ua: string | null | undefined): ParsedUserAgent {
  const text = ua ?? "";
  const name = BROWSERS.find(([re]) => re.test(text))?.[1] ?? "";
  const os = SYSTEMS.find(([re]) => re.test(text))?.[1] ?? "";
  const device = /Mobile|iPhone|Android/.test(text)
    ? "mobile"
    : /iPad|Tablet/.test(text)
      ? "tablet"
      : "desktop";
  return { device: text ? device : "", name, os };
}
