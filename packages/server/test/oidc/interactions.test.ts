import assert from "node:assert/strict";
import { it } from "node:test";
import Fastify from "fastify";
import { FakeClock } from "../../src/lib/clock.js";
import { sendErrorPage } from "../../src/oidc/error-page.js";
import type { AuthorizationRequest } from "../../src/services/oidc/authorize/types.js";
import { INTERACTION_TTL_MS } from "../../src/services/oidc/interactions.js";
import { SIGNED_OUT_PATH } from "../../src/services/oidc/logout.js";
import { signUpByEmail } from "../helpers/auth.js";
import { rejectsWith } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";

const clock = new FakeClock();

const request = (over: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  clientId: "",
  redirectUri: "https://rp.example.com/cb",
  responseType: "code",
  responseMode: "query",
  scope: "openid profile",
  state: "st-1",
  prompt: [],
  loginHint: "ann@example.com",
  uiLocales: "zh-CN",
  ...over,
});

// The contract the hosted pages build on (docs/oidc-provider.md §Interactions, §Browser session, §Logout).
describeEachDialect(
  "oidc: interactions, browser sessions and logout requests",
  (h) => {
    let userId = "";
    const oidc = () => h().ctx.oidc;
    const app = async () => {
      const found = await h().ctx.repos.applications.findApplicationById(h().boot.appId);
      if (!found) throw new Error("no default app");
      return found;
    };
    const login = async (over: Partial<AuthorizationRequest> = {}) =>
      oidc().interactions.create({
        kind: "login",
        app: await app(),
        request: request({ clientId: h().boot.appId, ...over }),
      });
    const signIn = (uid: string) =>
      oidc().interactions.finishLogin(uid, { userId, method: "password", ip: "203.0.113.9", userAgent: "t" });

    it("setup", async () => {
      const up = await signUpByEmail(h(), "interactions@example.com", "correct horse 1");
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      userId = up.data.userId;
    });

    it("interactions: find shows the pages what the request asked", async () => {
      const uid = await login();
      assert.match(uid, /^[A-Za-z0-9_-]{22}$/);
      const found = await oidc().interactions.find(uid);
      assert.deepEqual(found, {
        uid,
        kind: "login",
        poolId: h().boot.userPoolId,
        appId: h().boot.appId,
        appName: (await app()).name,
        scopes: ["openid", "profile"],
        prompt: [],
        loginHint: "ann@example.com",
        uiLocales: "zh-CN",
        expiresAt: clock.now() + INTERACTION_TTL_MS,
      });
      assert.equal(await oidc().interactions.find("no-such-uid"), undefined);
      assert.equal(await oidc().interactions.find("x".repeat(5000)), undefined);
    });

    it("interactions: finishLogin starts a browser session and continues at the resume URL", async () => {
      const uid = await login();
      const done = await signIn(uid);
      assert.equal(done.redirectTo, `/oidc/auth/resume/${uid}`);
      assert.equal(done.cookie.name, "gatehouse_session");
      assert.match(done.cookie.value, /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(done.cookie.options, {
        httpOnly: true,
        sameSite: "lax",
        secure: false,
        path: "/",
        maxAge: h().ctx.config.browserSessionTtl,
      });
      const session = await oidc().browserSessions.read(done.cookie.value);
      assert.equal(session?.userId, userId);
      assert.equal(session?.poolId, h().boot.userPoolId);
      assert.equal(session?.method, "password");
      assert.equal(session?.authTime, clock.now());
      // The cookie is stored hashed only.
      const rows = await h().ctx.db.kysely.selectFrom("oidc_browser_sessions").selectAll().execute();
      assert.ok(rows.every((r) => r.cookie_hash !== done.cookie.value && r.cookie_hash.length === 64));
    });

    it("interactions: an interaction is answered once", async () => {
      const uid = await login();
      await signIn(uid);
      await assert.rejects(signIn(uid), rejectsWith("INTERACTION_NOT_FOUND"));
      assert.equal(await oidc().interactions.find(uid), undefined);
    });

    it("interactions: an expired interaction cannot be answered", async () => {
      const uid = await login();
      clock.advance(INTERACTION_TTL_MS);
      assert.equal(await oidc().interactions.find(uid), undefined);
      await assert.rejects(signIn(uid), rejectsWith("INTERACTION_NOT_FOUND"));
      await assert.rejects(oidc().interactions.abort(uid), rejectsWith("INTERACTION_NOT_FOUND"));
    });

    it("interactions: finishLogin refuses a user of no account", async () => {
      const uid = await login();
      await assert.rejects(
        oidc().interactions.finishLogin(uid, { userId: "nobody", method: "sms", ip: null, userAgent: null }),
        rejectsWith("USER_NOT_FOUND"),
      );
    });

    it("interactions: a login is not a consent, and the reverse", async () => {
      const uid = await login();
      await assert.rejects(
        oidc().interactions.finishConsent(uid, { granted: true }),
        rejectsWith("INTERACTION_NOT_FOUND"),
      );
      const consent = await oidc().interactions.create({
        kind: "consent",
        app: await app(),
        request: request({ clientId: h().boot.appId }),
        userId,
      });
      await assert.rejects(signIn(consent), rejectsWith("INTERACTION_NOT_FOUND"));
      assert.equal((await oidc().interactions.find(consent))?.userId, userId);
    });

    it("interactions: a granted consent is remembered for the user and client", async () => {
      const uid = await oidc().interactions.create({
        kind: "consent",
        app: await app(),
        request: request({ clientId: h().boot.appId, scope: "openid email" }),
        userId,
      });
      assert.deepEqual(await oidc().interactions.finishConsent(uid, { granted: true }), {
        redirectTo: `/oidc/auth/resume/${uid}`,
      });
      const remembered = await h().ctx.repos.oidc.findConsent(userId, h().boot.appId);
      assert.deepEqual(remembered?.split(" ").sort(), ["email", "openid"]);
    });

    it("interactions: a denied consent sends access_denied and the state to the client", async () => {
      const uid = await oidc().interactions.create({
        kind: "consent",
        app: await app(),
        request: request({ clientId: h().boot.appId }),
        userId,
      });
      const { redirectTo } = await oidc().interactions.finishConsent(uid, { granted: false });
      const url = new URL(redirectTo);
      assert.equal(url.origin + url.pathname, "https://rp.example.com/cb");
      assert.equal(url.searchParams.get("error"), "access_denied");
      assert.equal(url.searchParams.get("state"), "st-1");
      await assert.rejects(oidc().interactions.abort(uid), rejectsWith("INTERACTION_NOT_FOUND"));
    });

    it("interactions: abort answers access_denied in the fragment for a fragment response", async () => {
      const uid = await login({ responseMode: "fragment" });
      const url = new URL((await oidc().interactions.abort(uid)).redirectTo);
      const hash = new URLSearchParams(url.hash.slice(1));
      assert.equal(hash.get("error"), "access_denied");
      assert.equal(hash.get("state"), "st-1");
    });

    it("interactions: abort of a form_post request goes through the resume endpoint", async () => {
      const uid = await login({ responseMode: "form_post" });
      assert.deepEqual(await oidc().interactions.abort(uid), { redirectTo: `/oidc/auth/resume/${uid}` });
    });

    it("purge: interactions and logout requests past their life are dropped, live ones kept", async () => {
      const old = await login();
      const oldLogout = await oidc().logout.create({});
      clock.advance(INTERACTION_TTL_MS + 1);
      const live = await login();
      await h().ctx.repos.oidc.purgeExpired(clock.now());
      assert.equal(await h().ctx.repos.oidc.findInteraction(old), undefined);
      assert.equal(await h().ctx.repos.oidc.findLogoutRequest(oldLogout), undefined);
      assert.ok(await h().ctx.repos.oidc.findInteraction(live));
    });

    it("browser sessions: garbage, unknown and ended cookies name no session", async () => {
      const bs = oidc().browserSessions;
      assert.equal(await bs.read(undefined), undefined);
      assert.equal(await bs.read("x".repeat(10_000)), undefined);
      assert.equal(await bs.read("A".repeat(43)), undefined);
      const { cookie } = await signIn(await login());
      const session = await bs.read(cookie.value);
      assert.ok(session);
      await bs.end(session.sessionId, "logout");
      assert.equal(await bs.read(cookie.value), undefined);
    });

    it("browser sessions: a remembered cookie stops signing in once its session ends on another node, or its user is deleted", async () => {
      const bs = oidc().browserSessions;
      const first = await signIn(await login());
      const session = await bs.read(first.cookie.value);
      assert.ok(session);
      // Another node ends it: this node's session cache holds for at most its 900 ms.
      await h().ctx.repos.sessions.endSession(session.sessionId, clock.now(), "logout");
      clock.advance(1000);
      assert.equal(await bs.read(first.cookie.value), undefined);
      const up = await signUpByEmail(h(), `gone-${Date.now()}@example.com`, "correct horse 1");
      const goneId = up.data.userId as string;
      const second = await oidc().interactions.finishLogin(await login(), {
        userId: goneId,
        method: "password",
        ip: "203.0.113.9",
        userAgent: "t",
      });
      assert.ok(await bs.read(second.cookie.value));
      await h().ctx.repos.users.deleteUser(h().boot.userPoolId, goneId);
      clock.advance(1000);
      assert.equal(await bs.read(second.cookie.value), undefined);
    });

    it("browser sessions: a session past its lifetime is over", async () => {
      const { cookie } = await signIn(await login());
      assert.ok(await oidc().browserSessions.read(cookie.value));
      clock.advance(h().ctx.config.browserSessionTtl * 1000 + 1);
      assert.equal(await oidc().browserSessions.read(cookie.value), undefined);
    });

    it("logout: confirm ends the browser session and returns to the registered URI with state", async () => {
      const { cookie } = await signIn(await login());
      const id = await oidc().logout.create({
        appId: h().boot.appId,
        postLogoutRedirectUri: "https://rp.example.com/bye",
        state: "s-9",
      });
      assert.deepEqual(await oidc().logout.find(id), {
        id,
        appName: (await app()).name,
        postLogoutRedirectUri: "https://rp.example.com/bye",
        expiresAt: clock.now() + 10 * 60_000,
      });
      const done = await oidc().logout.confirm(id, cookie.value);
      assert.equal(done.redirectTo, "https://rp.example.com/bye?state=s-9");
      assert.equal(done.clearCookie.name, "gatehouse_session");
      assert.equal(done.clearCookie.options.maxAge, 0);
      assert.equal(await oidc().browserSessions.read(cookie.value), undefined);
      await assert.rejects(oidc().logout.confirm(id, cookie.value), rejectsWith("LOGOUT_REQUEST_NOT_FOUND"));
      assert.equal(await oidc().logout.find(id), undefined);
    });

    it("logout: without a redirect URI or a cookie it still ends on the signed-out page", async () => {
      const id = await oidc().logout.create({});
      assert.deepEqual(await oidc().logout.find(id), { id, expiresAt: clock.now() + 10 * 60_000 });
      assert.equal((await oidc().logout.confirm(id, undefined)).redirectTo, SIGNED_OUT_PATH);
      await assert.rejects(oidc().logout.confirm("nope", undefined), rejectsWith("LOGOUT_REQUEST_NOT_FOUND"));
    });
  },
  { clock },
);

it("error page: every value is escaped and the page has its own strict CSP", async () => {
  const app = Fastify();
  app.get("/e", (_req, reply) =>
    sendErrorPage(reply, {
      error: "invalid_request",
      description: `<script>alert("x")</script>`,
      statusCode: 400,
    }),
  );
  const res = await app.inject({ method: "GET", url: "/e" });
  await app.close();
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers["content-type"]), /^text\/html/);
  assert.match(String(res.headers["content-security-policy"]), /default-src 'none'/);
  assert.doesNotMatch(String(res.headers["content-security-policy"]), /script-src/);
  assert.ok(!res.body.includes("<script>"));
  assert.ok(res.body.includes("&lt;script&gt;"));
  assert.ok(res.body.includes("invalid_request"));
});
