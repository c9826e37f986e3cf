import type { FastifyReply, FastifyRequest } from "fastify";
import { newBrowserValue } from "../../services/identities/round-trip.js";
import type { PageDeps } from "./shared.js";

/** The cookie that binds a round trip to the browser that started it. */
const COOKIE = "gatehouse_extidp";
const cookieName = (deps: PageDeps) =>
  deps.ctx.config.publicUrl.startsWith("https:") ? `__Host-${COOKIE}` : COOKIE;

export function browserCookie(deps: PageDeps, request: FastifyRequest): string | undefined {
  const v = request.cookies?.[cookieName(deps)];
  return typeof v === "string" && /^[A-Za-z0-9_-]{20,64}$/.test(v) ? v : undefined;
}

/** This browser's value, set when it has none (HttpOnly, Lax: it comes back on the upstream's redirect). */
export function ensureBrowser(deps: PageDeps, request: FastifyRequest, reply: FastifyReply): string {
  const existing = browserCookie(deps, request);
  if (existing) return existing;
  const value = newBrowserValue();
  const secure = deps.ctx.config.publicUrl.startsWith("https:");
  reply.setCookie(cookieName(deps), value, { httpOnly: true, sameSite: "lax", secure, path: "/" });
  return value;
}
