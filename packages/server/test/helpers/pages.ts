import type { LightMyRequestResponse } from "fastify";
import type { AuthorizationRequest } from "../../src/services/oidc/authorize/types.js";
import { createApp } from "./auth.js";
import type { Harness } from "./harness.js";

/** An authorization request as /oidc/auth would have validated it, for the default application. */
export function authorizationRequest(
  h: Harness,
  over: Partial<AuthorizationRequest> = {},
): AuthorizationRequest {
  return {
    clientId: h.boot.appId,
    redirectUri: "https://rp.example.com/cb",
    responseType: "code",
    responseMode: "query",
    scope: "openid profile",
    state: "st-1",
    prompt: [],
    ...over,
  };
}

/**
 * The application the pages' interactions are for: a confidential client of the default pool
 * with these redirect URIs (created once per harness).
 */
const clients = new WeakMap<Harness, string>();
export async function pagesClient(h: Harness, redirectUris = ["https://rp.example.com/cb"]): Promise<string> {
  let appId = clients.get(h);
  if (!appId) {
    ({ appId } = await createApp(h, "client_secret_post", { redirectUris }));
    clients.set(h, appId);
  }
  return appId;
}

async function clientRow(h: Harness) {
  const app = await h.ctx.repos.applications.findApplicationById(await pagesClient(h));
  if (!app) throw new Error("no client");
  return app;
}

/** A login interaction of the pages' client; returns its uid. */
export async function loginInteraction(
  h: Harness,
  over: Partial<AuthorizationRequest> = {},
): Promise<string> {
  const app = await clientRow(h);
  return h.ctx.oidc.interactions.create({
    kind: "login",
    app,
    request: authorizationRequest(h, { clientId: app.id, ...over }),
  });
}

export async function consentInteraction(
  h: Harness,
  userId: string,
  over: Partial<AuthorizationRequest> = {},
): Promise<string> {
  const app = await clientRow(h);
  return h.ctx.oidc.interactions.create({
    kind: "consent",
    app,
    request: authorizationRequest(h, { clientId: app.id, ...over }),
    userId,
  });
}

/**
 * A browser without JavaScript, by inject: keeps cookies, reads the CSRF token of the last page
 * and posts forms as application/x-www-form-urlencoded.
 */
export class FormBrowser {
  readonly cookies = new Map<string, string>();
  lastToken = "";

  constructor(private readonly h: Harness) {}

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
  }

  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies) {
      if (c.maxAge === 0 || c.value === "") this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (token?.[1]) this.lastToken = token[1];
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.keep(
      await this.h.inject({ method: "GET", url, headers: { ...this.cookieHeader(), ...headers } }),
    );
  }

  /** Posts the fields with the last page's CSRF token (unless `_csrf` is given, or null to leave it out). */
  async post(
    url: string,
    fields: Record<string, string | string[]>,
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    const csrf = options.csrf === undefined ? this.lastToken : options.csrf;
    if (csrf !== null) body.append("_csrf", csrf);
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    return this.keep(
      await this.h.inject({
        method: "POST",
        url,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...this.cookieHeader(),
          ...options.headers,
        },
        payload: body.toString(),
      }),
    );
  }
}

/** The text of the page's alert (the error a form shows), entities decoded. */
export function alertOf(html: string): string | undefined {
  const m = /<p class="alert" role="alert">([^<]*)<\/p>/.exec(html);
  return m?.[1]
    ?.replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}
