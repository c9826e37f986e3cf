import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/**
 * A real external OpenID Provider for the sign-in tests: panva's oidc-provider in the test
 * process, with its development interactions (any login name signs in, consent by one button,
 * an Abort link) and test accounts whose claims the test chooses. Two steps, because the
 * connection's callback (its id) must be registered with the upstream, and the connection needs the
 * upstream's issuer: `listenUpstream()` gives the issuer, `serve()` starts the provider.
 */
export interface UpstreamIdp {
  issuer: string;
  /** Starts answering, with one confidential client whose redirect URIs are given. */
  serve(input: {
    clientId: string;
    clientSecret: string;
    redirectUris: string[];
    accounts: Record<string, Record<string, unknown>>;
    /** ID token lifetime (s); default 60. */
    idTokenTtl?: number;
  }): void;
  close(): Promise<void>;
}

export async function listenUpstream(): Promise<UpstreamIdp> {
  let handler: http.RequestListener | undefined;
  const server = http.createServer((req, res) => {
    if (!handler) {
      res.writeHead(503).end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    serve({ clientId, clientSecret, redirectUris, accounts, idTokenTtl = 60 }) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: redirectUris,
            grant_types: ["authorization_code"],
            response_types: ["code"],
          },
        ],
        findAccount: (_ctx: unknown, id: string) => ({
          accountId: id,
          claims: () => ({ sub: id, ...accounts[id] }),
        }),
        claims: {
          openid: ["sub"],
          email: ["email", "email_verified"],
          profile: ["name", "nickname", "given_name", "family_name", "picture"],
        },
        ttl: { IdToken: idTokenTtl },
        cookies: { keys: ["upstream-test-cookie-key"] },
      } as ConstructorParameters<typeof Provider>[1]);
      handler = provider.callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A person at the upstream, with its own cookies: follows the authorization URL through the
 * development login and consent (or the Abort link) and returns the URL the upstream sends the
 * browser back to (the Gatehouse callback).
 */
export async function signInUpstream(
  authorizationUrl: string,
  login: string,
  options: { abort?: boolean } = {},
): Promise<string> {
  const origin = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair?.indexOf("=") ?? -1;
      if (pair && i > 0) jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  let url = authorizationUrl;
  for (let step = 0; step < 12; step++) {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: cookie() } });
    keep(res);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin !== origin) return next.href;
      url = next.href;
      continue;
    }
    const uid = /\/interaction\/([^/?#]+)$/.exec(new URL(url).pathname)?.[1];
    if (res.status !== 200 || !uid)
      throw new Error(`upstream answered ${res.status} at ${url}: ${await res.text()}`);
    const html = await res.text();
    if (options.abort) {
      url = `${origin}/interaction/${uid}/abort`;
      continue;
    }
    const body = html.includes('name="login"')
      ? new URLSearchParams({ prompt: "login", login, password: "any" })
      : new URLSearchParams({ prompt: "consent" });
    const posted = await fetch(`${origin}/interaction/${uid}`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: cookie(), "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    });
    keep(posted);
    const to = posted.headers.get("location");
    if (!to) throw new Error(`upstream interaction answered ${posted.status}: ${await posted.text()}`);
    url = new URL(to, url).href;
  }
  throw new Error("the upstream never sent the browser back");
}

/** The path and query of an absolute URL, for `inject`. */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
