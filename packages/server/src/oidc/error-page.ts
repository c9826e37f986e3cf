import type { FastifyReply } from "fastify";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page allows nothing but its own inline style: no script, no frame, no form target. */
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The browser-facing error of the OpenID Provider: an unknown client or an unregistered redirect
 * URI is shown here and never redirected to (docs/oidc-provider.md §Errors). Every value is
 * escaped; the hosted pages may later give it their template.
 */
export function sendErrorPage(
  reply: FastifyReply,
  { error, description, statusCode }: { error: string; description: string; statusCode: number },
): FastifyReply {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in error</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}code{background:#f2f2f2;padding:0 .25rem}</style>
</head><body><main><h1>Something went wrong</h1>
<p>${escapeHtml(description)}</p>
<p>Error: <code>${escapeHtml(error)}</code></p>
<p>Go back to the application and try again.</p></main></body></html>`;
  return reply
    .code(statusCode)
    .header("cache-control", "no-store")
    .header("content-security-policy", CSP)
    .header("x-frame-options", "DENY")
    .type("text/html; charset=utf-8")
    .send(body);
}
