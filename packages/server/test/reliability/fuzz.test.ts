import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { oidcPaths } from "@gatehouse/protocol";
import fc from "fast-check";
import { signedInUser } from "../helpers/auth.js";
import { freshPhone, sendSmsCode } from "../helpers/codes.js";
import { snapshotter } from "../helpers/db-snapshot.js";
import { fuzzArbitraries, type RouteSpec, routesOf } from "../helpers/fuzz.js";
import { createHarness, type DialectName, type Harness, postgresAvailable } from "../helpers/harness.js";

const pgUp = await postgresAvailable();
/** GATEHOUSE_FUZZ_SCALE multiplies the case counts (e.g. 20 for a long run on demand). */
const scale = Number(process.env.GATEHOUSE_FUZZ_SCALE ?? 1);
const CASES: Record<DialectName, number> = { sqlite: 1500, postgres: 300 };
/** GATEHOUSE_FUZZ_SEED replays a run. */
const seed = process.env.GATEHOUSE_FUZZ_SEED ? Number(process.env.GATEHOUSE_FUZZ_SEED) : undefined;

interface FuzzRequest {
  route: RouteSpec;
  method: string;
  query: string;
  contentType: string | undefined;
  body: string | undefined;
  headers: Record<string, string>;
}

/** Header values as a client can send them: latin-1 bytes, no control characters. */
const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?").slice(0, 8000);

interface Fixture {
  realistic: string[];
  hints: Record<string, string[]>;
  /** A user's access token (app routes) or a management token (management routes). */
  token: string;
  /** Management runs: mostly `Bearer <management token>`. */
  bearerMostly?: boolean;
  /** Headers every request of the run may carry (e.g. x-authing-userpool-id). */
  extraHeaders?: Record<string, fc.Arbitrary<string | undefined>>;
}

function requests(h: Harness, fx: Fixture, routes: RouteSpec[]) {
  const { realistic, hints, token } = fx;
  const f = fuzzArbitraries(realistic, hints);
  const appId = fc.oneof(
    { weight: 12, arbitrary: fc.constant(h.boot.appId) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: f.nastyString.map(headerSafe) },
    { weight: 1, arbitrary: f.nastyString.map((s) => `${h.boot.appId}, ${headerSafe(s)}`) },
  );
  const authorization = fc.oneof(
    { weight: fx.bearerMostly ? 24 : 0, arbitrary: fc.constant(`Bearer ${token}`) },
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constantFrom(token, `Bearer ${token}`) },
    {
      weight: fx.bearerMostly ? 1 : 0,
      arbitrary: f.nastyString.map((s) => `authing ${h.boot.userPoolId}:${headerSafe(s)}`),
    },
    { weight: 1, arbitrary: f.nastyString.map((s) => `Bearer ${headerSafe(s)}`) },
    { weight: 1, arbitrary: f.nastyString.map(headerSafe) },
    { weight: 1, arbitrary: fc.constantFrom(`${token}, ${token}`, `Basic ${token}`, `bearer  ${token} x`) },
  );
  return fc.constantFrom(...routes).chain((route) =>
    fc.record<FuzzRequest>({
      route: fc.constant(route),
      method: fc.oneof(
        { weight: 12, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD") },
      ),
      query: fc.oneof(fc.constant(""), f.queryString(route.query)),
      contentType: f.contentTypes,
      body:
        route.method === "POST"
          ? f.rawBody(route.body)
          : fc.option(f.rawBody(undefined), { freq: 8 }).map((b) => b ?? undefined),
      headers: fc
        .record({
          "x-authing-app-id": appId,
          authorization,
          "x-authing-lang": fc.option(fc.constantFrom("zh-CN", "en-US", "xx", "'; --")),
          "x-request-id": fc.option(f.plainNasty.map(headerSafe)),
          "user-agent": fc.option(f.plainNasty.map(headerSafe)),
          ...fx.extraHeaders,
        })
        .map(
          (hs) =>
            Object.fromEntries(Object.entries(hs).filter(([, v]) => v !== undefined && v !== null)) as Record<
              string,
              string
            >,
        ),
    }),
  );
}

/** Send a body as a form when the request says so and the body is a JSON object. */
function payloadFor(req: FuzzRequest): string | undefined {
  if (req.body === undefined) return undefined;
  if (req.contentType !== "application/x-www-form-urlencoded") return req.body;
  try {
    const v = JSON.parse(req.body);
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return new URLSearchParams(
        Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : (JSON.stringify(x) ?? "")]),
      ).toString();
    }
  } catch {}
  return req.body;
}

const stats = new Map<string, number>();
function tally(req: FuzzRequest, res: { statusCode: number; body: string }) {
  let answer = String(res.statusCode);
  try {
    const b = JSON.parse(res.body);
    answer =
      b.statusCode !== undefined
        ? `${b.statusCode}/${b.apiCode ?? ""} ${b.message}`.slice(0, 90)
        : (b.error ?? answer);
  } catch {}
  const key = `${req.route.method} ${req.route.path} → ${answer}`;
  stats.set(key, (stats.get(key) ?? 0) + 1);
}

const STACK = /\n\s+at .+:\d+:\d+|node_modules|\.ts:\d+/;

/** Checks the invariants of one answer; returns whether the request was rejected. */
function checkAnswer(req: FuzzRequest, res: { statusCode: number; body: string }): boolean {
  const where = `${req.method} ${req.route.path} → HTTP ${res.statusCode} ${res.body.slice(0, 300)}`;
  assert.ok(res.statusCode < 500 || res.statusCode === 503, `server error: ${where}`);
  assert.doesNotMatch(res.body, STACK, `stack trace: ${where}`);
  // A redirect is an answer, not a refusal (a logout request without a hint stores itself, then redirects).
  if (req.method === "HEAD") return res.statusCode >= 400;
  if (req.route.path.startsWith("/api/v3/")) {
    assert.equal(res.statusCode, 200, `/api/v3 answered HTTP ${res.statusCode}: ${where}`);
    const body = JSON.parse(res.body);
    if (req.route.path === "/api/v3/system" && body.statusCode === undefined) return false; // no envelope (§ system)
    assert.equal(typeof body.statusCode, "number", `no envelope: ${where}`);
    assert.equal(typeof body.message, "string", `no envelope: ${where}`);
    assert.equal(typeof body.requestId, "string", `no envelope: ${where}`);
    assert.notEqual(body.statusCode, 500, `envelope 500: ${where}`);
    return body.statusCode !== 200;
  }
  if (res.statusCode >= 400) {
    // The browser-facing endpoints (/oidc/auth and its resume) show an HTML error page.
    if (req.route.path.startsWith(oidcPaths.authorize) && /^<!doctype html>/i.test(res.body)) return true;
    const body = JSON.parse(res.body);
    assert.ok(
      typeof body.error === "string" ||
        (typeof body.statusCode === "number" && typeof body.message === "string"),
      `neither an OAuth error nor an envelope: ${where}`,
    );
    return true;
  }
  return false;
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`fuzzing every /api/v3 and /oidc route [${dialect}]`, {
    skip: dialect === "postgres" && !pgUp,
  }, () => {
    let current: Awaited<ReturnType<typeof createHarness>>;
    let h: Harness;
    const secrets: string[] = [];
    let cases = 0;
    let rejected = 0;
    before(async () => {
      current = await createHarness(dialect);
      h = current.harness;
    });
    after(async () => {
      console.log(`# fuzz [${dialect}]: ${cases} requests, ${rejected} rejected, 0 changed anything`);
      if (process.env.GATEHOUSE_FUZZ_STATS) {
        for (const [k, n] of [...stats].sort()) console.log(`#   ${String(n).padStart(5)} ${k}`);
        stats.clear();
      }
      await current?.close();
    });

    async function fuzz(fx: Fixture, routes: RouteSpec[], n: number) {
      const snapshot = await snapshotter(h.ctx.db);

      const run = await fc.check(
        fc.asyncProperty(requests(h, fx, routes), async (req) => {
          const before = await snapshot();
          const headers: Record<string, string> = { ...req.headers };
          if (req.contentType !== undefined) headers["content-type"] = req.contentType;
          const res = await h.inject({
            method: req.method as "GET",
            url: req.query ? `${req.route.path}?${req.query}` : req.route.path,
            headers,
            ...(req.body !== undefined && req.method !== "GET" && req.method !== "HEAD"
              ? { payload: payloadFor(req) }
              : {}),
          });
          cases++;
          if (process.env.GATEHOUSE_FUZZ_STATS) tally(req, res);
          const wasRejected = checkAnswer(req, { statusCode: res.statusCode, body: res.body });
          if (wasRejected) {
            rejected++;
            assert.equal(
              await snapshot(),
              before,
              `a rejected request changed the database: ${req.method} ${req.route.path} ${res.body.slice(0, 200)}`,
            );
          }
        }),
        { numRuns: Math.round(n * scale), seed, endOnFailure: true },
      );
      if (run.failed) {
        // Bodies can be 100 kB: report the failure and a replay seed, not the whole request.
        const error =
          run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
        assert.fail(
          `${error.slice(0, 1500)}\nreplay: GATEHOUSE_FUZZ_SEED=${run.seed} (path ${run.counterexamplePath})\n` +
            `request: ${JSON.stringify(run.counterexample).slice(0, 1500)}`,
        );
      }
    }

    it("random and malformed requests never get HTTP 500, a crash or a stack trace, always the envelope (an OAuth error on /oidc), and a rejected one changes nothing", async () => {
      const password = "Fuzz-password-1";
      // The header token's session must outlive the run: its tokens never appear in bodies.
      const user = await signedInUser(h, "fuzz-user@example.com", password, "openid profile offline_access");
      // Realistic values reach deep paths (sign-in succeeds, tokens are introspected, revoked…).
      const other = await signedInUser(
        h,
        "fuzz-other@example.com",
        password,
        "openid profile offline_access",
      );
      const phone = freshPhone();
      const code = await sendSmsCode(h, phone, "CHANNEL_LOGIN");
      secrets.push(password, user.access_token, user.id_token, user.refresh_token, code);
      secrets.push(other.access_token, other.id_token, other.refresh_token);
      secrets.push(h.boot.appSecret, h.boot.userPoolSecret, h.ctx.keys.secret);
      // Realistic values go where the API expects them (bodies, the app-id header), never into URLs
      // or logged headers. No refresh token: a reused one ends its session by design.
      const realistic = [
        "fuzz-user@example.com",
        "fuzz-other@example.com",
        password,
        phone,
        `+86${phone}`,
        "+86",
        h.boot.appId,
        h.boot.appSecret,
        other.access_token,
        other.id_token,
        code,
      ];
      const hints: Record<string, string[]> = {
        client_id: [h.boot.appId],
        client_secret: [h.boot.appSecret],
        email: ["fuzz-user@example.com", "fuzz-other@example.com", "new@example.com"],
        account: ["fuzz-user@example.com", phone],
        phone: [phone, `+86${phone}`],
        phoneNumber: [phone],
        phoneCountryCode: ["+86", "86", "+1"],
        password: [password, "wrong-password"],
        passCode: [code, "000000"],
        newPhonePassCode: [code, "000000"],
        oldPhonePassCode: [code, "000000"],
        newPhoneNumber: [phone, "13900000000"],
        oldPhoneNumber: [phone],
        newPhoneCountryCode: ["+86"],
        oldPhoneCountryCode: ["+86"],
        newEmail: ["fuzz-new@example.com", "fuzz-other@example.com"],
        oldEmail: ["fuzz-user@example.com"],
        oldPassword: [password],
        newPassword: ["New-fuzz-password-2"],
        token: [other.access_token, other.id_token],
        access_token: [other.access_token],
        id_token_hint: [other.id_token],
        grant_type: ["refresh_token", "authorization_code", "client_credentials", "password"],
        scope: ["openid", "openid profile email phone offline_access", "admin"],
      };
      const routes = routesOf(h.app.swagger()).filter((r) => !r.management);
      assert.ok(routes.length >= 10, `only ${routes.length} app-facing routes found`);
      await fuzz({ realistic, hints, token: user.access_token }, routes, CASES[dialect]);
      await h.ctx.courier.idle();
      assert.equal((await h.inject({ method: "GET", url: "/health" })).statusCode, 200);
    });

    it("the management routes too, with a management token: same invariants", async () => {
      const issued = await h.api("POST", "/api/v3/get-management-token", {
        accessKeyId: h.boot.userPoolId,
        accessKeySecret: h.boot.userPoolSecret,
      });
      assert.equal(issued.statusCode, 200, JSON.stringify(issued));
      const token = issued.data.access_token as string;
      secrets.push(token);
      const users = await h.ctx.db.kysely.selectFrom("users").select(["id", "email"]).execute();
      const ids = [...users.map((u) => u.id), "no-such-user"];
      const routes = routesOf(h.app.swagger()).filter((r) => r.management);
      assert.ok(routes.length >= 10, `only ${routes.length} management routes found`);
      await fuzz(
        {
          realistic: [...ids, h.boot.appId, h.boot.userPoolId, "fuzz-user@example.com"],
          hints: {
            userId: ids,
            userIds: ids,
            appId: [h.boot.appId],
            accessKeyId: [h.boot.userPoolId],
            accessKeySecret: [h.boot.userPoolSecret, "wrong"],
            userIdType: ["user_id", "email", "phone", "username", "external_id", "identity"],
            email: ["fuzz-user@example.com", "admin-made@example.com"],
          },
          token,
          bearerMostly: true,
          extraHeaders: {
            "x-authing-userpool-id": fc.oneof(
              { weight: 4, arbitrary: fc.constant(undefined) },
              { weight: 4, arbitrary: fc.constant(h.boot.userPoolId) },
              { weight: 1, arbitrary: fc.constant("other-pool") },
            ),
          },
        },
        routes,
        Math.round(CASES[dialect] / 2),
      );
      assert.equal((await h.inject({ method: "GET", url: "/health" })).statusCode, 200);
    });

    it("no secret, code, password or token appears in any log line of the run", () => {
      assert.ok(h.logs.length > cases, "the run logged its requests");
      // A 6-digit code is only a leak standing alone, not inside a timestamp or an id.
      const patterns = secrets
        .filter(Boolean)
        .map((s) => (/^\d{4,8}$/.test(s) ? new RegExp(`(?<![0-9A-Za-z.%])${s}(?![0-9A-Za-z])`) : s));
      for (const line of h.logs) {
        for (const p of patterns) {
          const leaked = typeof p === "string" ? line.includes(p) : p.test(line);
          assert.ok(!leaked, `log line carries a secret: ${line.slice(0, 300)}`);
        }
      }
    });
  });
}
