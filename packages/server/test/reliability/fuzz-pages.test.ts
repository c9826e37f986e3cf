import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { SECTIONS } from "../../src/hosted/account/sections/index.js";
import { type InventoryRoute, routeInventory } from "../../src/http/route-inventory.js";
import { accountBrowser } from "../helpers/account.js";
import { changedTables, snapshotter } from "../helpers/db-snapshot.js";
import { fuzzArbitraries, type JsonSchema, routesOf } from "../helpers/fuzz.js";
import { createHarness, type DialectName, type Harness, postgresAvailable } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { enableFactors, enrolOtp } from "../helpers/mfa.js";
import { consentInteraction, FormBrowser, loginInteraction, pagesClient } from "../helpers/pages.js";
import { register } from "../helpers/profile.js";
import { listenUpstream, type UpstreamIdp } from "../helpers/upstream-idp.js";

// Everything fuzz.test.ts does not reach: the hosted pages, the account page, the external-IdP
// round trip, GenAuth's /oauth paths, the /api/v2 MFA step, the event streams' HTTP side, assets
// (docs/reliability.md §Fuzzing). Same invariants, realistic browser states.

const pgUp = await postgresAvailable();
const scale = Number(process.env.GATEHOUSE_FUZZ_SCALE ?? 1);
const CASES: Record<DialectName, number> = { sqlite: 500, postgres: 150 };
const seed = process.env.GATEHOUSE_FUZZ_SEED ? Number(process.env.GATEHOUSE_FUZZ_SEED) : undefined;

/** What an answer must look like, by the kind of route. */
type Kind = "page" | "oauth" | "envelope" | "json" | "static";

/**
 * Routes neither file fuzzes, each with its reason. A new route is fuzzed by one of the two files
 * or listed here, or the inventory test fails.
 */
const EXCLUDED: Record<string, string> = {
  "OPTIONS *": "CORS preflight: answered by the CORS plugin before any route (attacks-input.test.ts)",
  "GET /docs": "the vendored Swagger UI: static files, no input reaches our code",
  "GET /docs/static/index.html": "the vendored Swagger UI",
  "GET /docs/static/swagger-initializer.js": "the vendored Swagger UI",
  "GET /docs/static/*": "the vendored Swagger UI",
  "GET /docs/json": "the OpenAPI document, no input",
  "GET /docs/yaml": "the OpenAPI document, no input",
};

/** The kind of a route this file fuzzes; undefined for one it does not. */
function kindOf(url: string): Kind | undefined {
  if (/^\/(interaction|logout|account|ext-idp)(\/|$)/.test(url)) return "page";
  if (url.startsWith("/oauth/")) return "oauth";
  if (url.startsWith("/api/v2/")) return "envelope";
  if (url.startsWith("/api/v3/")) return "envelope"; // the few outside the OpenAPI document (PUT/DELETE)
  if (url === "/mfa/token/introspection" || url.startsWith("/events/")) return "json";
  if (/^\/(assets\/|health$|ready$|openapi\.json$)/.test(url)) return "static";
  return undefined;
}

/** `/interaction/:uid/x` → `/interaction/{uid}/x`, the OpenAPI document's spelling. */
const openapiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, "{$1}");

interface Target {
  method: string;
  url: string;
  kind: Kind;
  body?: JsonSchema;
  query: string[];
}

/** The routes of the inventory that fuzz.test.ts does not reach (HEAD twins are their GET's). */
function targetsOf(h: Harness): { targets: Target[]; unlisted: string[] } {
  const inFuzz = new Set(routesOf(h.app.swagger()).map((r) => `${r.method} ${r.path}`));
  const seen = new Set<string>();
  const targets: Target[] = [];
  const unlisted: string[] = [];
  for (const r of routeInventory(h.app) as InventoryRoute[]) {
    if (r.method === "HEAD") continue;
    const key = `${r.method} ${r.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (inFuzz.has(`${r.method} ${openapiPath(r.url)}`) || EXCLUDED[key]) continue;
    const kind = kindOf(r.url);
    if (!kind) {
      unlisted.push(key);
      continue;
    }
    const schema = r.schema as { body?: JsonSchema; querystring?: JsonSchema } | undefined;
    targets.push({
      method: r.method,
      url: r.url,
      kind,
      ...(schema?.body ? { body: schema.body } : {}),
      query: Object.keys(schema?.querystring?.properties ?? {}),
    });
  }
  return { targets, unlisted };
}

const STACK = /\n\s+at .+:\d+:\d+|node_modules|\.ts:\d+|\.js:\d+/;
const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?").slice(0, 4000);
/** A path segment as a client sends it (a lone surrogate becomes U+FFFD, as on the wire). */
const encodeSegment = (s: string) => encodeURIComponent(Buffer.from(s.slice(0, 200)).toString()) || "x";

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`fuzzing the pages, /oauth, /api/v2 and the other routes [${dialect}]`, {
    skip: dialect === "postgres" && !pgUp,
  }, () => {
    let current: Awaited<ReturnType<typeof createHarness>>;
    let h: Harness;
    before(async () => {
      // The upstream of the social connection listens on http://127.0.0.1.
      current = await createHarness(dialect, { config: { idpAllowHttp: true } });
      h = current.harness;
    });
    let upstream: UpstreamIdp | undefined;
    after(async () => {
      await upstream?.close();
      await current?.close();
    });

    it("every route is fuzzed by fuzz.test.ts or this file, or excluded with a reason", () => {
      const { targets, unlisted } = targetsOf(h);
      assert.deepEqual(unlisted, [], "routes neither fuzzed nor excluded (EXCLUDED in fuzz-pages.test.ts)");
      const all = new Set(routeInventory(h.app).map((r) => `${r.method} ${r.url}`));
      const stale = Object.keys(EXCLUDED).filter((k) => !all.has(k));
      assert.deepEqual(stale, [], "EXCLUDED names routes that no longer exist");
      for (const must of [
        "POST /interaction/:uid/password",
        "POST /account/:section/:action",
        "GET /oauth/auth",
      ]) {
        assert.ok(
          targets.some((t) => `${t.method} ${t.url}` === must),
          `${must} is fuzzed here`,
        );
      }
    });

    it("hostile requests on them never get HTTP 500 or a stack trace, answer in their kind, never redirect elsewhere, and a refused one changes nothing", async () => {
      const { targets } = targetsOf(h);
      const publicOrigin = new URL(h.ctx.config.publicUrl).origin;
      const redirectUri = "https://rp.example.com/cb";
      const clientId = await pagesClient(h, [redirectUri]);

      // The states a browser arrives in: signed in on the account page (session + CSRF), a CSRF
      // cookie only, nothing. A state the run spends (sign-out, account deleted) is rebuilt.
      const password = "Fuzz-pages-1";
      let n = 0;
      async function newAccountBrowser() {
        const email = `fuzz-pages-${n++}@example.com`;
        const signUp = await h.api("POST", "/api/v3/signup", {
          connection: "PASSWORD",
          passwordPayload: { email, password },
        });
        assert.equal(signUp.statusCode, 200, JSON.stringify(signUp));
        const b = await accountBrowser(h, email, password);
        return { b, email, userId: signUp.data.userId as string };
      }
      let signedIn = await newAccountBrowser();
      const anonymous = new FormBrowser(h);
      await anonymous.get(`/interaction/${await loginInteraction(h)}`);
      assert.ok(anonymous.lastToken, "the sign-in page gives a CSRF token");

      // The MFA step: a user with an authenticator, stopped after the password (hosted) and a
      // pending MFA token (API).
      await enableFactors(h, ["OTP", "SMS", "EMAIL"], { apiSignin: true });
      const mfaUser = await register(h, { email: true });
      await enrolOtp(h, mfaUser.token);
      const mfaUids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const b = new FormBrowser(h);
        const uid = await loginInteraction(h);
        await b.get(`/interaction/${uid}`);
        const res = await b.post(`/interaction/${uid}/password`, {
          account: mfaUser.email as string,
          password: mfaUser.password as string,
        });
        assert.match(String(res.headers.location), /\/mfa$/, res.body.slice(0, 300));
        mfaUids.push(uid);
      }
      const mfaSignIn = await h.api("POST", "/api/v3/signin", {
        connection: "PASSWORD",
        passwordPayload: { account: mfaUser.email, password: mfaUser.password },
        client_id: h.boot.appId,
        client_secret: h.boot.appSecret,
      });
      const mfaToken = mfaSignIn.data?.mfaToken as string;
      assert.equal(typeof mfaToken, "string", JSON.stringify(mfaSignIn));

      // A social connection of the pages' client, to a real upstream (oauth2: no discovery at start).
      upstream = await listenUpstream();
      const created = await mgmt(h, "POST", "/api/v3/create-ext-idp", {
        body: { type: "oauth2", name: "Fuzz" },
      });
      assert.equal(created.statusCode, 200, JSON.stringify(created));
      const upstreamSecret = "upstream-client-secret-0123456789";
      const conn = await mgmt(h, "POST", "/api/v3/create-ext-idp-conn", {
        body: {
          extIdpId: created.data.id,
          type: "oauth",
          identifier: "fuzz",
          displayName: "Fuzz account",
          fields: {
            authorizationEndpoint: `${upstream.issuer}/auth`,
            tokenEndpoint: `${upstream.issuer}/token`,
            userInfoEndpoint: `${upstream.issuer}/me`,
            clientId: "gatehouse",
            clientSecret: upstreamSecret,
            scopes: "openid email",
            userMapping: { id: "sub", email: "email" },
          },
        },
      });
      assert.equal(conn.statusCode, 200, JSON.stringify(conn));
      const connId = conn.data.id as string;
      const on = await mgmt(h, "POST", "/api/v3/change-ext-idp-conn-state", {
        body: { id: connId, enabled: true, appId: clientId },
      });
      assert.equal(on.statusCode, 200, JSON.stringify(on));
      upstream.serve({
        clientId: "gatehouse",
        clientSecret: upstreamSecret,
        redirectUris: [conn.data.callbackUrl],
        accounts: {},
      });
      const upstreamOrigin = new URL(upstream.issuer).origin;

      const f = fuzzArbitraries([signedIn.email, password, mfaUser.email as string, clientId, redirectUri], {
        account: [signedIn.email, mfaUser.email as string],
        email: [signedIn.email, "fuzz-new@example.com"],
        password: [password, "wrong-password"],
        oldPassword: [password],
        newPassword: ["New-fuzz-pages-2"],
        client_id: [clientId],
        redirect_uri: [redirectUri, "https://evil.example.com/cb", "//evil.example.com"],
        response_type: ["code"],
        scope: ["openid profile"],
        code: ["000000", "123456"],
        confirm: ["yes", "DELETE"],
        section: SECTIONS.map((s) => s.id),
      });

      /** One value for each path parameter: mostly a live one. */
      const param = (name: string): fc.Arbitrary<string> => {
        const nasty = f.plainNasty.map(encodeSegment);
        switch (name) {
          case "uid":
            return fc.oneof(
              { weight: 6, arbitrary: fc.constant("@login") },
              { weight: 3, arbitrary: fc.constant("@consent") },
              { weight: 2, arbitrary: fc.constantFrom(...mfaUids) },
              { weight: 1, arbitrary: nasty },
            );
          case "connId":
            return fc.oneof({ weight: 4, arbitrary: fc.constant(connId) }, { weight: 1, arbitrary: nasty });
          case "id":
            return fc.oneof(
              { weight: 4, arbitrary: fc.constant("@logout") },
              { weight: 1, arbitrary: nasty },
            );
          case "section":
            return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...SECTIONS.map((s) => s.id)) }, nasty);
          case "action":
            return fc.oneof(
              {
                weight: 6,
                arbitrary: fc.constantFrom(...new Set(SECTIONS.flatMap((s) => Object.keys(s.actions)))),
              },
              { weight: 1, arbitrary: nasty },
            );
          default:
            return nasty;
        }
      };

      // Forms as a person fills them in: most requests get past validation and the CSRF check to
      // the service, with at most one field hostile.
      const goodForms: Record<string, Record<string, string>[]> = {
        "/interaction/:uid/password": [
          { account: signedIn.email, password },
          { account: signedIn.email, password: "wrong" },
        ],
        "/interaction/:uid/code": [{ channel: "email", email: signedIn.email, code: "000000" }],
        "/interaction/:uid/send-code": [{ channel: "email", email: signedIn.email }],
        "/interaction/:uid/consent": [{ decision: "allow" }, { decision: "deny" }],
        "/interaction/:uid/abort": [{}],
        "/interaction/:uid/sign-up": [
          { method: "email-password", email: "fuzz-new@example.com", password: "Fuzz-pages-new-1" },
        ],
        "/interaction/:uid/sign-up/send-code": [{ method: "email-code", email: "fuzz-new@example.com" }],
        "/interaction/:uid/forgot-password": [
          { channel: "email", email: signedIn.email, code: "000000", password: "Fuzz-pages-2" },
        ],
        "/interaction/:uid/forgot-password/send-code": [{ channel: "email", email: signedIn.email }],
        "/interaction/:uid/mfa/verify": [
          { kind: "otp", code: "000000" },
          { kind: "recovery", code: "0000-0000" },
        ],
        "/interaction/:uid/mfa/send": [{ kind: "email" }],
        "/interaction/:uid/mfa/enrol/start": [{ factor: "email", email: "fuzz-mfa@example.com" }],
        "/interaction/:uid/mfa/enrol": [{ code: "000000" }],
        "/interaction/:uid/mfa/continue": [{}],
        "/logout/:id/confirm": [{}],
        "/logout/:id/stay": [{}],
        "/account/reauth": [{ method: "password", secret: password, section: "profile" }],
        "/account/reauth/send": [{ method: "email", section: "profile" }],
        "/account/sign-out": [{}],
        "/account/:section/:action": [
          { nickname: "Fuzz", name: "Fuzz Pages", section: "profile" },
          { password, newPassword: "Fuzz-pages-3", oldPassword: password },
          { email: "fuzz-new@example.com", code: "000000", oldCode: "000000", newCode: "000000" },
          { confirm: "yes", password },
        ],
      };
      const nearlyGood = (forms: Record<string, string>[]) =>
        fc
          .constantFrom(...forms)
          .chain((form) =>
            fc.record(
              Object.fromEntries(
                Object.entries(form).map(([k, v]) => [
                  k,
                  fc.oneof({ weight: 6, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: f.nastyString }),
                ]),
              ),
            ),
          );

      // An authorization request of the pages' client, one parameter at a time hostile or foreign.
      const authorizeQuery = fc
        .record({
          client_id: fc.oneof({ weight: 6, arbitrary: fc.constant(clientId) }, f.plainNasty),
          redirect_uri: fc.oneof(
            { weight: 4, arbitrary: fc.constant(redirectUri) },
            fc.constantFrom(
              "https://evil.example.com/cb",
              "//evil.example.com/cb",
              `${redirectUri}/../../evil`,
              `${redirectUri}@evil.example.com`,
              "https://rp.example.com.evil.example.com/cb",
              "javascript:alert(1)",
            ),
            f.plainNasty,
          ),
          response_type: fc.oneof({ weight: 6, arbitrary: fc.constant("code") }, f.plainNasty),
          scope: fc.oneof({ weight: 6, arbitrary: fc.constant("openid profile") }, f.plainNasty),
          state: f.plainNasty,
          prompt: fc.option(fc.constantFrom("none", "login", "consent", "select_account", "x")),
          response_mode: fc.option(fc.constantFrom("query", "fragment", "form_post", "web_message", "x")),
        })
        .map((q) =>
          new URLSearchParams(
            Object.entries(q).filter((e): e is [string, string] => typeof e[1] === "string"),
          ).toString(),
        );

      // The upstream's answer: a round trip this browser started (`@state`, filled in before the
      // request), or a foreign one; a wrong code or the upstream's error.
      const callbackQuery = fc
        .record({
          code: fc.oneof(fc.constant("not-a-code"), f.plainNasty),
          state: fc.oneof(
            { weight: 4, arbitrary: fc.constant("@state") },
            { weight: 1, arbitrary: f.plainNasty },
          ),
          error: fc.option(fc.constantFrom("access_denied", "server_error", "x")),
          error_description: fc.option(f.plainNasty),
        })
        .map((q) =>
          new URLSearchParams(
            Object.entries(q).filter((e): e is [string, string] => typeof e[1] === "string"),
          ).toString(),
        );

      const state = fc.constantFrom("signed-in", "signed-in", "csrf", "none", "forged");
      const request = fc.constantFrom(...targets).chain((t) =>
        fc.record({
          target: fc.constant(t),
          method: fc.oneof(
            { weight: 10, arbitrary: fc.constant(t.method) },
            { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD") },
          ),
          params: fc.tuple(...[...t.url.matchAll(/:([A-Za-z]+)|\*/g)].map((m) => param(m[1] ?? "*"))),
          query: fc.oneof(
            ...(t.url === "/oauth/auth" ? [{ weight: 4, arbitrary: authorizeQuery }] : []),
            ...(t.url === "/ext-idp/:connId/callback" ? [{ weight: 4, arbitrary: callbackQuery }] : []),
            { weight: 1, arbitrary: fc.constant("") },
            { weight: 2, arbitrary: f.queryString(t.query) },
          ),
          body: fc.oneof(
            ...(goodForms[t.url] ? [{ weight: 6, arbitrary: nearlyGood(goodForms[t.url] ?? []) }] : []),
            { weight: 4, arbitrary: f.shapedValue(t.body) },
            { weight: 1, arbitrary: f.rawBody(t.body) },
          ),
          form: fc.oneof(
            { weight: 8, arbitrary: fc.constant("application/x-www-form-urlencoded") },
            { weight: 2, arbitrary: f.contentTypes },
          ),
          csrf: fc.oneof(
            { weight: 8, arbitrary: fc.constant("@valid") },
            { weight: 1, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: f.plainNasty },
          ),
          state,
          cookie: f.plainNasty.map(headerSafe),
          bearer: fc.oneof(
            { weight: 4, arbitrary: fc.constant(`Bearer ${mfaToken}`) },
            { weight: 1, arbitrary: f.plainNasty.map((s) => `Bearer ${headerSafe(s)}`) },
            { weight: 1, arbitrary: fc.constant(undefined) },
          ),
          language: fc.option(f.plainNasty.map(headerSafe)),
        }),
      );
      type Req = typeof request extends fc.Arbitrary<infer R> ? R : never;

      /** The browser state's cookies and CSRF token, with the live ids the request names. */
      async function prepare(req: Req) {
        const browser = req.state === "signed-in" ? signedIn.b : req.state === "csrf" ? anonymous : undefined;
        const cookies = browser ? [...browser.cookies].map(([k, v]) => `${k}=${v}`) : [];
        if (req.state === "forged")
          cookies.push(`gatehouse_session=${req.cookie}`, `gatehouse_csrf=${req.cookie}`);
        const token = req.csrf === "@valid" ? browser?.lastToken : req.csrf;
        let i = 0;
        const values: string[] = [];
        for (const v of req.params) {
          if (v === "@login") values.push(await loginInteraction(h));
          else if (v === "@consent") values.push(await consentInteraction(h, signedIn.userId));
          else if (v === "@logout") {
            const res = await h.inject({ method: "GET", url: "/oidc/session/end" });
            values.push(String(res.headers.location).split("/").pop() ?? "x");
          } else values.push(v);
        }
        const path = req.target.url.replace(/:([A-Za-z]+)|\*/g, () => values[i++] ?? "x");
        let query = req.query;
        if (query.includes("state=%40state")) {
          // A round trip started by this browser (or by another one, for a browser without cookies).
          const starter = browser ?? anonymous;
          const started = await starter.get(`/interaction/${await loginInteraction(h)}/ext-idp/${connId}`);
          const upstreamState = new URL(String(started.headers.location)).searchParams.get("state") ?? "";
          query = query.replace("state=%40state", `state=${encodeURIComponent(upstreamState)}`);
          if (browser)
            cookies.splice(0, cookies.length, ...[...browser.cookies].map(([k, v]) => `${k}=${v}`));
        }
        return { cookies, token, path, query };
      }

      function payloadOf(req: Req, token: string | undefined): string | undefined {
        if (req.method === "GET" || req.method === "HEAD") return undefined;
        const v = req.body;
        if (typeof v === "string") return v;
        if (req.target.kind !== "page" && req.target.kind !== "oauth") return JSON.stringify(v) ?? "null";
        const form = new URLSearchParams();
        if (token !== undefined) form.append("_csrf", token);
        if (v && typeof v === "object" && !Array.isArray(v)) {
          for (const [k, x] of Object.entries(v))
            form.append(k, typeof x === "string" ? x : (JSON.stringify(x) ?? ""));
        }
        return form.toString();
      }

      /** A redirect goes to this server or to the application's registered redirect URI, nowhere else. */
      function assertAllowedRedirect(location: string, where: string) {
        assert.doesNotMatch(location, /^\s*(\/\/|\/\\|\\)/, `protocol-relative redirect: ${where}`);
        const to = new URL(location, h.ctx.config.publicUrl);
        assert.ok(
          to.origin === publicOrigin ||
            `${to.origin}${to.pathname}` === redirectUri ||
            `${to.origin}${to.pathname}` === `${upstreamOrigin}/auth`,
          `redirect to ${to.href}: ${where}`,
        );
      }

      /** Checks one answer; returns whether the request was refused. */
      function checkAnswer(req: Req, path: string, res: { statusCode: number; body: string; headers: any }) {
        const where = `HTTP ${res.statusCode} ${res.body.slice(0, 300)} ← ${req.method} ${path.slice(0, 200)} [${req.state}]`;
        assert.ok(res.statusCode < 500 || res.statusCode === 503, `server error: ${where}`);
        assert.doesNotMatch(res.body, STACK, `stack trace: ${where}`);
        if (res.statusCode >= 300 && res.statusCode < 400) {
          assertAllowedRedirect(String(res.headers.location ?? ""), where);
          return false;
        }
        if (req.method === "HEAD") return res.statusCode >= 400;
        const html = /^<!doctype html>/i.test(res.body);
        switch (req.target.kind) {
          case "page":
            assert.ok(html, `a page answered something else than HTML: ${where}`);
            return res.statusCode >= 400;
          case "oauth": {
            if (res.statusCode < 400) return false;
            if (html) return true;
            const b = JSON.parse(res.body);
            // A method no endpoint takes meets the server-wide envelope (404, or the body's refusal),
            // as fuzz.test.ts accepts on /oidc.
            const notFound = req.method !== req.target.method && typeof b.statusCode === "number";
            assert.ok(typeof b.error === "string" || notFound, `no OAuth error: ${where}`);
            return true;
          }
          case "envelope": {
            if (res.statusCode === 404 || res.statusCode === 405) return true;
            assert.equal(res.statusCode, 200, `no envelope: ${where}`);
            const b = JSON.parse(res.body);
            assert.equal(typeof b.statusCode, "number", `no envelope: ${where}`);
            assert.notEqual(b.statusCode, 500, `envelope 500: ${where}`);
            return b.statusCode !== 200;
          }
          case "json": {
            if (res.statusCode >= 400) {
              assert.ok(res.body.length > 0, `an empty error body: ${where}`);
              const b = JSON.parse(res.body);
              assert.ok(
                typeof b.error === "string" || typeof b.message === "string",
                `no error body: ${where}`,
              );
              return true;
            }
            return false;
          }
          case "static":
            return res.statusCode >= 400;
        }
      }

      // Every sign-in page shown, a refused form shown again included, offers a passkey: its
      // challenge is stored (single-use, expiring, grants nothing; docs/passkeys.md). A callback
      // whose round trip checks out spends it, even when the upstream's answer is then refused
      // (docs/social-sign-in.md: a replay must find it spent); nothing else of it changes.
      const snapshot = await snapshotter(h.ctx.db, {
        webauthn_challenges: "all",
        ext_idp_states: ["consumed_at"],
      });
      const stats = new Map<string, number>();
      let cases = 0;
      let refused = 0;
      const run = await fc.check(
        fc.asyncProperty(request, async (req) => {
          const { cookies, token, path, query } = await prepare(req);
          const headers: Record<string, string> = {};
          if (cookies.length > 0) headers.cookie = cookies.join("; ");
          if (req.language) headers["accept-language"] = req.language;
          if (req.method !== "GET" && req.method !== "HEAD")
            headers["content-type"] = req.form ?? "application/json";
          if (req.target.kind === "envelope") {
            headers["x-authing-app-id"] = h.boot.appId;
            if (req.bearer) headers.authorization = req.bearer;
          }
          const url = query ? `${path}?${query}` : path;
          const before = await snapshot();
          const payload = payloadOf(req, token);
          const res = await h.inject({
            method: req.method as "GET",
            url,
            headers,
            ...(payload !== undefined ? { payload } : {}),
          });
          cases++;
          if (process.env.GATEHOUSE_FUZZ_STATS) {
            const said =
              /role="alert">([^<]*)</.exec(res.body)?.[1] ?? /<h1[^>]*>([^<]*)</.exec(res.body)?.[1] ?? "";
            const key = `${req.method} ${req.target.url} [${req.state}] → ${res.statusCode} ${said.slice(0, 60)}`;
            stats.set(key, (stats.get(key) ?? 0) + 1);
          }
          const wasRefused = checkAnswer(req, url, res);
          if (wasRefused) {
            refused++;
            const after = await snapshot();
            assert.ok(
              after === before,
              `a refused request changed ${changedTables(snapshot, before, after).join(", ")}: ${req.method} ${url} → ${res.statusCode} ${res.body.slice(0, 300)}`,
            );
          }
          // The signed-in state spent (signed out, account deleted, password changed): start again.
          if (!wasRefused && req.method === "POST" && req.state === "signed-in") {
            const page = await signedIn.b.get("/account");
            if (page.statusCode !== 200) signedIn = await newAccountBrowser();
          }
        }),
        { numRuns: Math.round(CASES[dialect] * scale), seed, endOnFailure: true },
      );
      for (const [k, count] of [...stats].sort()) console.log(`#   ${String(count).padStart(4)} ${k}`);
      console.log(
        `# fuzz pages [${dialect}]: ${cases} requests on ${targets.length} routes, ${refused} refused, 0 changed anything`,
      );
      if (run.failed) {
        const error =
          run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
        assert.fail(
          `${error.slice(0, 1500)}\nreplay: GATEHOUSE_FUZZ_SEED=${run.seed} (path ${run.counterexamplePath})\n` +
            `request: ${JSON.stringify(run.counterexample).slice(0, 1500)}`,
        );
      }
      assert.equal((await h.inject({ method: "GET", url: "/health" })).statusCode, 200);
    });
  });
}
