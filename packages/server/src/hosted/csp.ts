/**
 * Each page's Content-Security-Policy (docs/hosted-pages.md, "Security"): nothing inline but
 * the one hashed <style> of the brand, no script but our own files (the account page's; the sign-in
 * page's passkey scripts, allowed by a nonce of that response only), forms posted only to this server —
 * plus, on pages whose form ends in a redirect to the application, that application's origins
 * (browsers apply `form-action` to the redirects that follow a form).
 */
export interface CspOptions {
  styleHash: string;
  imageOrigins?: string[];
  formOrigins?: string[];
  /** The page loads our own script file (the account page's progressive enhancements). */
  scripts?: boolean;
  /** A fresh nonce per response when the page loads nonce-bound scripts (the passkey sign-in). */
  scriptNonce?: string;
}

export function pageCsp({
  styleHash,
  imageOrigins = [],
  formOrigins = [],
  scripts = false,
  scriptNonce,
}: CspOptions): string {
  const scriptSources = [...(scripts ? ["'self'"] : []), ...(scriptNonce ? [`'nonce-${scriptNonce}'`] : [])];
  return [
    "default-src 'none'",
    ...(scriptSources.length > 0 ? [`script-src ${scriptSources.join(" ")}`] : []),
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
