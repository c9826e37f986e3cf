/**
 * Each page's Content-Security-Policy (docs/hosted-pages.md, "Security"): nothing inline but
 * the one hashed <style> of the brand, no script (but our own file on the account page), forms posted only to this server —
 * plus, on pages whose form ends in a redirect to the application, that application's origins
 * (browsers apply `form-action` to the redirects that follow a form).
 */
export interface CspOptions {
  styleHash: string;
  imageOrigins?: string[];
  formOrigins?: string[];
  /** The page loads our own script file (the account page's progressive enhancements). */
  scripts?: boolean;
}

export function pageCsp({
  styleHash,
  imageOrigins = [],
  formOrigins = [],
  scripts = false,
}: CspOptions): string {
  return [
    "default-src 'none'",
    ...(scripts ? ["script-src 'self'"] : []),
    `style-src 'self' '${styleHash}'`,
    ["img-src 'self' data:", ...imageOrigins].join(" "),
    ["form-action 'self'", ...formOrigins].join(" "),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** Schemes that are never a place to send a form, whatever an application registered. */
const NEVER = new Set(["javascript:", "data:", "blob:", "file:", "filesystem:", "vbscript:", "about:"]);

/**
 * The CSP sources of redirect URIs: the origin of an http(s) URI, the scheme of an app's own
 * (`com.example.app:`); anything unparsable contributes nothing.
 */
export function originsOf(urls: string[]): string[] {
  const out = new Set<string>();
  for (const url of urls) {
    try {
      const u = new URL(url);
      if (u.protocol === "https:" || u.protocol === "http:") out.add(u.origin);
      else if (/^[a-z][a-z0-9+.-]*:$/.test(u.protocol) && !NEVER.has(u.protocol)) out.add(u.protocol);
    } catch {
      // not a URL
    }
  }
  return [...out];
}
