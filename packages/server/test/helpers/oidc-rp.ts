import assert from "node:assert/strict";
import * as client from "openid-client";
import type { Harness } from "./harness.js";

/** The issuer every harness serves (its public URL is the default one). */
export const ISSUER = "http://localhost:3000/oidc";

/**
 * A fetch that answers from the harness's app (inject) instead of the network: openid-client
 * talks to the server exactly as over HTTP, without a listening port.
 */
export function injectFetch(h: Harness) {
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const res = await h.inject({
      method: (init.method ?? "GET") as "GET",
      url: u.pathname + u.search,
      headers,
      ...(init.body !== undefined && init.body !== null ? { payload: String(init.body) } : {}),
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [String(v)]) out.append(k, one);
    }
    const body = res.statusCode === 204 || res.statusCode === 304 ? null : res.body;
    return new Response(body, { status: res.statusCode, headers: out });
  };
}

/** A relying party (openid-client 6) for an application of the harness, discovered from the server. */
export async function relyingParty(
  h: Harness,
  app: { appId: string; appSecret?: string },
  auth: "client_secret_post" | "client_secret_basic" | "none" = "client_secret_post",
  metadata: Partial<client.ClientMetadata> = {},
): Promise<client.Configuration> {
  const clientAuth =
    auth === "none"
      ? client.None()
      : auth === "client_secret_basic"
        ? client.ClientSecretBasic(app.appSecret)
        : client.ClientSecretPost(app.appSecret);
  const config = await client.discovery(new URL(ISSUER), app.appId, metadata, clientAuth, {
    [client.customFetch]: injectFetch(h) as never,
    execute: [client.allowInsecureRequests],
  });
  config[client.customFetch] = injectFetch(h) as never;
  return config;
}

/** Where a step of the browser ended. */
export type BrowserStop =
  | { kind: "interaction"; uid: string }
  | { kind: "callback"; url: URL }
  | { kind: "form_post"; action: string; params: Record<string, string>; csp: string }
  | { kind: "error_page"; status: number; body: string }
  | { kind: "logout_confirm"; id: string }
  | { kind: "other"; status: number; location?: string; body: string };

/**
 * The user-agent side: follows the provider's redirects and carries its cookie. It stops where
 * the user would act (an interaction page, a logout confirmation) or where the client takes over
 * (its redirect URI, a form_post page).
 */
/** The stop a browser reached, checked to be of `kind` (the whole stop in the failure message). */
export function expectStop<K extends BrowserStop["kind"]>(
  stop: BrowserStop,
  kind: K,
): Extract<BrowserStop, { kind: K }> {
  assert.equal(stop.kind, kind, JSON.stringify(stop).slice(0, 500));
  return stop as Extract<BrowserStop, { kind: K }>;
}

export class Browser {
  cookie: string | undefined;
  constructor(
    private readonly h: () => Harness,
    readonly userAgent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36",
  ) {}

  async visit(
    url: string | URL,
    method: "GET" | "POST" = "GET",
    form?: Record<string, string>,
  ): Promise<BrowserStop> {
    let next = new URL(String(url), ISSUER);
    for (let hops = 0; hops < 10; hops++) {
      if (next.origin !== "http://localhost:3000") return { kind: "callback", url: next };
      if (next.pathname.startsWith("/interaction/"))
        return { kind: "interaction", uid: next.pathname.slice("/interaction/".length) };
      if (next.pathname.startsWith("/logout/")) return { kind: "logout_confirm", id: next.pathname.slice(8) };
      const res = await this.h().inject({
        method,
        url: next.pathname + next.search,
        headers: {
          "user-agent": this.userAgent,
          ...(this.cookie ? { cookie: `gatehouse_session=${this.cookie}` } : {}),
          ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
      });
      this.takeCookie(res.headers["set-cookie"]);
      method = "GET";
      form = undefined;
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === "string") {
        next = new URL(location, next);
        continue;
      }
      if (res.statusCode === 200 && /<form method="post"/.test(res.body)) {
        return {
          kind: "form_post",
          ...parseForm(res.body),
          csp: String(res.headers["content-security-policy"]),
        };
      }
      if (res.statusCode >= 400 && String(res.headers["content-type"]).startsWith("text/html"))
        return { kind: "error_page", status: res.statusCode, body: res.body };
      return { kind: "other", status: res.statusCode, body: res.body };
    }
    throw new Error("too many redirects");
  }

  /** What the sign-in page does once the user proved who they are. */
  async signIn(
    uid: string,
    userId: string,
    method: "password" | "sms" | "email" = "password",
  ): Promise<BrowserStop> {
    const done = await this.h().ctx.oidc.interactions.finishLogin(uid, {
      userId,
      method,
      ip: "127.0.0.1",
      userAgent: this.userAgent,
    });
    this.cookie = done.cookie.value;
    return this.visit(done.redirectTo);
  }

  /** What the consent page does. */
  async consent(uid: string, granted: boolean): Promise<BrowserStop> {
    const done = await this.h().ctx.oidc.interactions.finishConsent(uid, { granted });
    return this.visit(done.redirectTo);
  }

  private takeCookie(header: string | string[] | undefined): void {
    for (const line of Array.isArray(header) ? header : header ? [header] : []) {
      const m = /^gatehouse_session=([^;]*)/.exec(line);
      if (!m) continue;
      this.cookie = /Max-Age=0/i.test(line) || m[1] === "" ? undefined : m[1];
    }
  }
}

function parseForm(html: string): { action: string; params: Record<string, string> } {
  const unescapeHtml = (s: string) =>
    s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");
  const action = unescapeHtml(/<form method="post" action="([^"]*)"/.exec(html)?.[1] ?? "");
  const params: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    params[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  return { action, params };
}

/** The callback the client receives for a form_post response, as openid-client takes it. */
export function formPostRequest(stop: { action: string; params: Record<string, string> }): Request {
  return new Request(stop.action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(stop.params).toString(),
  });
}
