import helmet from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";
import fp from "fastify-plugin";

const NOT_SECURITY = new Set(["content-type", "content-length", "date", "connection", "keep-alive"]);

/**
 * The headers helmet sets on a response. They are the same for every request (no CSP nonces),
 * so they are computed once: running helmet's middleware chain per request cost about a third
 * of the throughput of a small JSON route.
 */
export async function helmetHeaders(): Promise<Record<string, string>> {
  const probe = Fastify();
  await probe.register(helmet, { global: true });
  probe.get("/", async () => ({}));
  const res = await probe.inject({ method: "GET", url: "/" });
  await probe.close();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (!NOT_SECURITY.has(name) && value !== undefined) headers[name] = String(value);
  }
  return headers;
}

/** Security headers on every response (HSTS, nosniff, frame denial, a strict CSP…). */
async function securityHeaders(app: FastifyInstance) {
  const headers = await helmetHeaders();
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

export default fp(securityHeaders, { name: "security-headers" });

/**
 * For the plugin it is called in: responses do not cut a popup from the window that opened it.
 * GenAuth's browser SDK signs in in a popup (`loginWithPopup`): the authorization endpoint, the
 * hosted pages and their redirects run in it, and the answer is posted back to the opener
 * (response_mode=web_message). Browsers apply `Cross-Origin-Opener-Policy: same-origin` to every
 * response of that navigation, redirects included, and one is enough to sever the opener for good
 * (docs/oidc-provider.md §Web message). Framing stays refused by each page's own CSP.
 */
export function keepOpener(app: FastifyInstance): void {
  app.addHook("onRequest", (_request, reply, done) => {
    reply.header("cross-origin-opener-policy", "unsafe-none");
    done();
  });
}
