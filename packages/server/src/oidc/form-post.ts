import { randomBytes } from "node:crypto";
import type { FastifyReply } from "fastify";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Where the form may go: the redirect URI's origin (or its scheme, for an app's custom scheme). */
function formTarget(action: string): string {
  const url = new URL(action);
  return url.origin !== "null" ? url.origin : url.protocol;
}

/**
 * The form_post response mode (OAuth 2.0 Form Post Response Mode): a page that posts the response
 * to the client by itself, with a button for browsers without script. Its one script runs by a
 * per-response nonce; the form may go only to the client's redirect URI.
 */
export function sendFormPost(
  reply: FastifyReply,
  action: string,
  params: Record<string, string>,
): FastifyReply {
  const nonce = randomBytes(16).toString("base64");
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("\n");
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signing in…</title></head>
<body><form method="post" action="${escapeHtml(action)}">
${inputs}
<noscript><p>Your browser does not run scripts: press the button to continue.</p><button type="submit">Continue</button></noscript>
</form>
<script nonce="${nonce}">document.forms[0].submit();</script>
</body></html>`;
  return reply
    .code(200)
    .header("cache-control", "no-store")
    .header("pragma", "no-cache")
    .header(
      "content-security-policy",
      `default-src 'none'; script-src 'nonce-${nonce}'; form-action ${formTarget(action)}; base-uri 'none'; frame-ancestors 'none'`,
    )
    .type("text/html; charset=utf-8")
    .send(body);
}
