import * as oidc from "openid-client";
import type { Harness } from "./harness.js";

/**
 * A `fetch` that answers from the harness's app (no port): openid-client, a real relying party,
 * talks to Gatehouse through it exactly as over HTTP.
 */
export function injectFetch(h: Harness): oidc.CustomFetch {
  return async (url, options) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(options.headers as HeadersInit).forEach((value, name) => {
      headers[name] = value;
    });
    const res = await h.inject({
      method: options.method as "GET" | "POST",
      url: u.pathname + u.search,
      headers,
      ...(options.body !== undefined && options.body !== null ? { payload: String(options.body) } : {}),
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(", ") : String(value));
    }
    const empty = res.statusCode === 204 || res.statusCode === 304 || res.body === "";
    return new Response(empty ? null : res.body, { status: res.statusCode, headers: out });
  };
}

/** openid-client's configuration from Gatehouse's discovery document, for one client. */
export function discover(
  h: Harness,
  clientId: string,
  clientSecret?: string,
  auth?: oidc.ClientAuth,
  issuerPath = "/oidc",
): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(`${h.ctx.config.publicUrl}${issuerPath}`), clientId, clientSecret, auth, {
    execute: [oidc.allowInsecureRequests],
    [oidc.customFetch]: injectFetch(h),
  });
}
