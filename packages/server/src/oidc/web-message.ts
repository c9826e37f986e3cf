import { randomBytes } from "node:crypto";
import type { FastifyReply } from "fastify";

/** JSON inside a <script>: nothing in it can end the element or the line. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

/**
 * The web_message response mode (docs/oidc-provider.md §Web message), which GenAuth's browser SDK
 * asks for in its popup and its hidden iframe: a page that posts
 * `{type: "authorization_response", response}` to the window that opened it (popup) or framed it
 * (iframe), targeted at the origin of the registered redirect URI only — another origin's window
 * receives nothing — then closes itself when it is a popup. Its one script runs by a per-response
 * nonce; only that origin may frame it (`frame-ancestors`, which replaces X-Frame-Options). The
 * endpoint keeps the popup's opener (`keepOpener`, http/security-headers.ts).
 */
export function sendWebMessage(
  reply: FastifyReply,
  origin: string,
  params: Record<string, string>,
): FastifyReply {
  const nonce = randomBytes(16).toString("base64");
  const message = scriptJson({ type: "authorization_response", response: params });
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signing in…</title></head>
<body><p>You can close this window.</p>
<script nonce="${nonce}">(function () {
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (!target) return;
  target.postMessage(${message}, ${scriptJson(origin)});
  if (window.opener) window.close();
})();</script>
</body></html>`;
  reply.removeHeader("x-frame-options");
  return reply
    .code(200)
    .header("cache-control", "no-store")
    .header("pragma", "no-cache")
    .header(
      "content-security-policy",
      `default-src 'none'; script-src 'nonce-${nonce}'; frame-ancestors ${origin}; form-action 'none'; base-uri 'none'`,
    )
    .type("text/html; charset=utf-8")
    .send(body);
}
