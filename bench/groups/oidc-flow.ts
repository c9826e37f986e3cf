import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { oidcPaths } from "@gatehouse/protocol";
import { freshDatabase } from "../gatehouse/database.js";
import { registerRedirect, signInBrowsers } from "../gatehouse/oidc-browsers.js";
import { seededUser, seedUsers } from "../gatehouse/seed.js";
import { type GatehouseOptions, startGatehouse } from "../gatehouse/server.js";
import { Browser } from "../lib/browser.js";
import type { RequestSpec } from "../lib/load-types.js";
import { type Log, measureHttp, type Row, type Settings } from "../lib/measure.js";
import { CODE_CHALLENGE, CODE_VERIFIER } from "../lib/pkce.js";
import { freePort, spawnServer } from "../lib/proc.js";
import { PEER_JWT_CODE_FLOW } from "../lib/targets.js";
import { V3_CEILING } from "./ceilings.js";

/** The row Gatehouse's code flow is compared with. */
export const PEER_CODE_FLOW = "oidc-provider:code-flow";
const REDIRECT = "https://rp.bench.test/callback";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** The authorization request both servers get: a confidential client, PKCE S256, scope openid. */
function authorizeQuery(clientId: string): string {
  return new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    scope: "openid",
    redirect_uri: REDIRECT,
    state: "bench-state",
    nonce: "bench-nonce",
    code_challenge: CODE_CHALLENGE,
    code_challenge_method: "S256",
  }).toString();
}

/** The code exchange; `{code}` is filled in by the load generator. */
function tokenRequest(
  path: string,
  client: Record<string, string>,
  headers: Record<string, string> = {},
): RequestSpec {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: "{code}",
    redirect_uri: REDIRECT,
    code_verifier: CODE_VERIFIER,
    ...client,
  }).toString();
  return { method: "POST", path, headers: { ...FORM, ...headers }, body };
}

/** A JWT's `alg`, or undefined for an opaque token. */
function jwtAlg(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).alg;
  } catch {
    return undefined;
  }
}

/** The scenario: a signed-in browser's authorize → code → token exchange, per second (two requests each). */
function codeFlow(
  name: string,
  ceiling: string,
  server: { pid: number; url: string },
  authorizePath: string,
  cookies: string[],
  token: RequestSpec,
  note: string,
  overallRate?: number,
) {
  return {
    name,
    ceiling,
    pid: server.pid,
    url: server.url,
    requestsPerUnit: 2,
    note,
    verify: async () => {
      const browser = new Browser();
      const hop = await browser.request(server.url + authorizePath, { headers: { cookie: cookies[0] } });
      const code = hop.location && new URL(hop.location).searchParams.get("code");
      if (!code)
        throw new Error(
          `${name}: authorize answered ${hop.status} ${hop.location ?? hop.body.slice(0, 200)}`,
        );
      const res = await fetch(server.url + token.path, {
        method: "POST",
        headers: token.headers,
        body: token.body?.replace(encodeURIComponent("{code}"), encodeURIComponent(code)),
      });
      if (res.status !== 200) throw new Error(`${name}: token answered ${res.status} ${await res.text()}`);
      // Every row but the default peer's issues an RS256 JWT access token: see that it does.
      const { access_token } = (await res.json()) as { access_token: string };
      if ((jwtAlg(access_token) === "RS256") !== (name !== PEER_CODE_FLOW))
        throw new Error(`${name}: unexpected access token ${access_token.slice(0, 40)}…`);
    },
    job: async () => ({
      plan: {
        kind: "code-flow" as const,
        authorize: cookies.map((cookie) => ({
          method: "GET" as const,
          path: authorizePath,
          headers: { cookie },
        })),
        token,
      },
      redirectsOk: true,
      overallRate,
    }),
  };
}

/** The peer, signed in once per browser through its development interactions (any login). */
async function peerRows(settings: Settings, log: Log, dir: string, name: string): Promise<Row> {
  const jwt = name === PEER_JWT_CODE_FLOW;
  const port = await freePort();
  const client = { id: "bench-client", secret: "bench-client-secret-0123456789abcdef" };
  const server = await spawnServer({
    name: "oidc-provider",
    args: ["--import", "tsx", new URL("../servers/oidc-provider.ts", import.meta.url).pathname],
    env: {
      PORT: String(port),
      CLIENT_ID: client.id,
      CLIENT_SECRET: client.secret,
      REDIRECT_URI: REDIRECT,
      JWT_ACCESS_TOKENS: jwt ? "1" : "0",
    },
    port,
    logFile: path.join(dir, "oidc-provider.log"),
  });
  try {
    const authorize = `/auth?${authorizeQuery(client.id)}`;
    const cookies: string[] = [];
    for (let i = 0; i < settings.connections; i++) {
      const browser = new Browser();
      let hop = await browser.request(server.url + authorize);
      for (let step = 0; step < 10 && hop.location && !hop.location.startsWith(REDIRECT); step++) {
        if (new URL(hop.location).pathname.startsWith("/interaction/")) {
          const page = await browser.request(hop.location);
          const prompt = page.body.includes('name="login"') ? "login" : "consent";
          hop = await browser.request(hop.location, {
            method: "POST",
            form: prompt === "login" ? { prompt, login: `user-${i}`, password: "x" } : { prompt },
          });
        } else hop = await browser.request(hop.location);
      }
      if (!hop.location?.startsWith(REDIRECT))
        throw new Error(`oidc-provider sign-in ended at ${hop.status} ${hop.location}`);
      cookies.push(browser.cookie());
    }
    const basic = `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString("base64")}`;
    const token = tokenRequest("/token", {}, { authorization: basic });
    const note = jwt
      ? "node-oidc-provider 9, in-memory, RS256 JWT access tokens (resource indicators)"
      : "node-oidc-provider 9, defaults, in-memory";
    return await measureHttp(
      codeFlow(name, V3_CEILING, server, authorize, cookies, token, note),
      settings,
      log,
    );
  } finally {
    await server.stop();
  }
}

/** Gatehouse on SQLite, its browsers signed in through the interactions of the authorization endpoint. */
async function gatehouseRows(
  settings: Settings,
  log: Log,
  peerRps: number,
  serverSettings: ServerSettings,
): Promise<Row[]> {
  const db = await freshDatabase("sqlite", "oidc");
  try {
    const seed = await seedUsers(db.url, settings.connections);
    await registerRedirect(db, seed.boot.appId, REDIRECT);
    const server = await startGatehouse(db, { label: "sqlite-oidc", ...serverSettings });
    try {
      const authorize = `${oidcPaths.authorize}?${authorizeQuery(seed.boot.appId)}`;
      const probe = await fetch(server.url + authorize, { redirect: "manual" });
      if (probe.status === 404) {
        log("  skipped sqlite:oidc-code-flow: the server has no authorization endpoint (/oidc/auth) yet");
        return [];
      }
      const users = Array.from({ length: settings.connections }, (_, i) => seededUser(i).id);
      const cookies = await signInBrowsers(db, server.url + authorize, REDIRECT, users);
      if (!cookies) {
        log("  skipped sqlite:oidc-code-flow: the server has no interactions (ctx.oidc.interactions) yet");
        return [];
      }
      const token = tokenRequest(oidcPaths.token, {
        client_id: seed.boot.appId,
        client_secret: seed.boot.appSecret,
      });
      const note = "browser session cookie, PKCE S256, client_secret_post";
      const full = await measureHttp(
        codeFlow("sqlite:oidc-code-flow", PEER_CODE_FLOW, server, authorize, cookies, token, note),
        settings,
        log,
      );
      // p99 at half of its own maximum (two requests per flow: requests/s = flows/s × 2).
      const half = await measureHttp(
        codeFlow(
          "sqlite:oidc-code-flow@50%",
          PEER_CODE_FLOW,
          server,
          authorize,
          cookies,
          token,
          note,
          full.rps,
        ),
        settings,
        log,
      );
      log(`  code flow: Gatehouse ${Math.round(full.rps)}/s against oidc-provider ${Math.round(peerRps)}/s`);
      return [full, half];
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

/** The Gatehouse server's options the bench's command line sets (profile, thread pool, node flags). */
type ServerSettings = Pick<GatehouseOptions, "profileDir" | "threadpool" | "nodeFlags">;

/**
 * A signed-in browser's authorize → code → token exchange per second, on node-oidc-provider and
 * on Gatehouse (SQLite) in the same run; Gatehouse's rows have the peer as their ceiling. A second
 * peer row, for reference, has oidc-provider sign its access tokens as JWTs, as Gatehouse does.
 */
export async function oidcFlowGroup(settings: Settings, log: Log, server: ServerSettings): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-bench-oidc-"));
  try {
    const peer = await peerRows(settings, log, dir, PEER_CODE_FLOW);
    const jwtPeer = await peerRows(settings, log, dir, PEER_JWT_CODE_FLOW);
    return [peer, jwtPeer, ...(await gatehouseRows(settings, log, peer.rps, server))];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
