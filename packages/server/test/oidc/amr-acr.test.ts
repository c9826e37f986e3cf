import assert from "node:assert/strict";
import { it } from "node:test";
import * as client from "openid-client";
import { FakeClock } from "../../src/lib/clock.js";
import { updateAppConfig } from "../../src/services/tokens/app-config.js";
import { signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { enableFactors, enrolOtp, totpAt } from "../helpers/mfa.js";
import { Browser, type BrowserStop, expectStop as expect, relyingParty } from "../helpers/oidc-rp.js";
import { alertOf, FormBrowser } from "../helpers/pages.js";
import { type Account, register } from "../helpers/profile.js";

// Real time as the start: openid-client checks the tokens' iat and exp against its own clock.
const clock = new FakeClock(Date.now());
const CB = "https://rp.example.com/cb";

// How the user got in, in the ID token (docs/mfa.md §amr and acr), with a real relying party.
describeEachDialect(
  "oidc: amr and acr, acr_values asking for a second factor",
  (h) => {
    let userId = "";
    let rp: client.Configuration;

    it("setup: a user and a client", async () => {
      const up = await signUpByEmail(h(), "amr-user@example.com", "correct horse 1");
      userId = up.data.userId;
      await updateAppConfig(h().ctx.repos, h().ctx.clock, h().boot.appId, { redirectUris: [CB] });
      rp = await relyingParty(h(), h().boot);
    });

    async function start(browser: Browser, params: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: CB,
        scope: "openid",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        ...params,
      });
      return { stop: await browser.visit(url), verifier, state };
    }

    async function tokensAt(stop: BrowserStop, verifier: string, state: string) {
      const tokens = await client.authorizationCodeGrant(rp, expect(stop, "callback").url, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      return (tokens.claims() ?? {}) as Record<string, unknown>;
    }

    it("discovery advertises acr_values_supported and the amr/acr claims", () => {
      const meta = rp.serverMetadata();
      assert.ok(meta.acr_values_supported?.includes("mfa"), JSON.stringify(meta.acr_values_supported));
      assert.ok(meta.claims_supported?.includes("amr"));
      assert.ok(meta.claims_supported?.includes("acr"));
    });

    it("one factor: amr [pwd] and no acr", async () => {
      const browser = new Browser(h);
      const { stop, verifier, state } = await start(browser);
      const done = await browser.signIn(expect(stop, "interaction").uid, userId, "password");
      const claims = await tokensAt(done, verifier, state);
      assert.deepEqual(claims.amr, ["pwd"]);
      assert.equal(claims.acr, undefined);
    });

    it("acr_values=mfa: a session without a second factor is not enough; with one, acr is mfa", async () => {
      const browser = new Browser(h);
      const first = await start(browser);
      await browser.signIn(expect(first.stop, "interaction").uid, userId, "password");
      // Single sign-on would answer at once; asking for MFA sends the browser back to the pages.
      const asked = await start(browser, { acr_values: "mfa" });
      const uid = expect(asked.stop, "interaction").uid;
      const signedIn = await h().ctx.oidc.interactions.finishLogin(uid, {
        userId,
        method: "password",
        amr: ["pwd", "otp", "mfa"],
        ip: null,
        userAgent: null,
      });
      browser.cookie = signedIn.cookie.value;
      const claims = await tokensAt(await browser.visit(signedIn.redirectTo), asked.verifier, asked.state);
      assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
      assert.equal(claims.acr, "mfa");
      // The session has the second factor now: the next request asking for it is answered at once.
      const again = await start(browser, {
        acr_values: "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
      });
      const next = await tokensAt(again.stop, again.verifier, again.state);
      assert.equal(next.acr, "mfa");
    });

    /** The authorization request in a browser that posts forms: where its redirects stop. */
    async function visit(
      b: FormBrowser,
      url: string | URL,
    ): Promise<{ at: URL; body: string; status: number }> {
      let next = new URL(String(url), "http://localhost:3000");
      for (let hops = 0; hops < 10; hops++) {
        if (next.origin !== "http://localhost:3000") return { at: next, body: "", status: 303 };
        const res = await b.get(next.pathname + next.search);
        const location = res.headers.location;
        if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === "string") {
          next = new URL(location, next);
          continue;
        }
        return { at: next, body: res.body, status: res.statusCode };
      }
      throw new Error("too many redirects");
    }

    async function authorize(b: FormBrowser, params: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: CB,
        scope: "openid offline_access",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        ...params,
      });
      return { stop: await visit(b, url), verifier, state };
    }

    async function exchange(at: URL, verifier: string, state: string) {
      return client.authorizationCodeGrant(rp, at, { pkceCodeVerifier: verifier, expectedState: state });
    }

    /** A browser signed in with a password (the user had no factor then): amr [pwd]. */
    async function signedInWithoutMfa(user: Account): Promise<FormBrowser & { refreshToken?: string }> {
      const b: FormBrowser & { refreshToken?: string } = new FormBrowser(h());
      const { stop, verifier, state } = await authorize(b, { prompt: "login" });
      assert.match(stop.at.pathname, /^\/interaction\/[A-Za-z0-9_-]+$/);
      const res = await b.post(`${stop.at.pathname}/password`, {
        account: user.email as string,
        password: user.password as string,
      });
      assert.equal(res.statusCode, 303, res.body);
      const session = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
      assert.deepEqual(session?.amr, ["pwd"]);
      const back = await visit(b, String(res.headers.location));
      b.refreshToken = (await exchange(back.at, verifier, state)).refresh_token;
      return b;
    }

    it("step-up: acr_values=mfa on a session without MFA asks only the second factor; the session keeps it for the next SSO", async () => {
      await enableFactors(h(), ["OTP"]);
      const user = await register(h(), { email: true });
      const b = await signedInWithoutMfa(user);
      const factor = await enrolOtp(h(), user.token);
      const before = b.cookies.get("gatehouse_session");
      const sessionBefore = await h().ctx.oidc.browserSessions.read(before);

      const asked = await authorize(b, { acr_values: "mfa" });
      // Straight to the second factor: no sign-in page, no password.
      assert.match(
        asked.stop.at.pathname,
        /^\/interaction\/[A-Za-z0-9_-]+\/mfa$/,
        asked.stop.body.slice(0, 200),
      );
      assert.match(asked.stop.body, /6-digit code from your authenticator app/);
      const uid = asked.stop.at.pathname.split("/")[2] as string;
      clock.advance(30_000);
      const wrong = await b.post(`/interaction/${uid}/mfa/verify`, { kind: "otp", code: "000000" });
      assert.equal(wrong.statusCode, 400);
      assert.match(alertOf(wrong.body) ?? "", /The code is wrong/);
      const right = await b.post(`/interaction/${uid}/mfa/verify`, {
        kind: "otp",
        code: totpAt(factor.uri, clock.now()),
      });
      assert.equal(right.statusCode, 303, right.body);
      const back = await visit(b, String(right.headers.location));
      assert.equal(back.at.origin + back.at.pathname, CB, back.body.slice(0, 300));
      const tokens = await exchange(back.at, asked.verifier, asked.state);
      const claims = (tokens.claims() ?? {}) as Record<string, unknown>;
      assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
      assert.equal(claims.acr, "mfa");
      assert.equal(
        claims.auth_time,
        Math.floor((sessionBefore?.authTime ?? 0) / 1000),
        "still the sign-in's time",
      );

      // The same browser session, raised: no new cookie, and the next SSO asks nothing.
      assert.equal(b.cookies.get("gatehouse_session"), before);
      const session = await h().ctx.oidc.browserSessions.read(before);
      assert.equal(session?.sessionId, sessionBefore?.sessionId);
      assert.deepEqual(session?.amr, ["pwd", "otp", "mfa"]);
      const again = await authorize(b, { acr_values: "mfa" });
      assert.equal(again.stop.at.origin + again.stop.at.pathname, CB);
      assert.equal((await exchange(again.stop.at, again.verifier, again.state)).claims()?.acr, "mfa");

      // A refresh keeps the sign-in's amr, acr and auth_time; a token from before the step-up keeps its own.
      clock.advance(60_000);
      assert.ok(tokens.refresh_token, "offline_access gives a refresh token");
      const refreshed = ((await client.refreshTokenGrant(rp, tokens.refresh_token)).claims() ?? {}) as Record<
        string,
        unknown
      >;
      assert.deepEqual(refreshed.amr, ["pwd", "otp", "mfa"]);
      assert.equal(refreshed.acr, "mfa");
      assert.equal(refreshed.auth_time, claims.auth_time);
      const older = ((await client.refreshTokenGrant(rp, b.refreshToken as string)).claims() ?? {}) as Record<
        string,
        unknown
      >;
      assert.deepEqual(older.amr, ["pwd"]);
      assert.equal(older.acr, undefined);
    });

    it("step-up by the policy: a user who now has a factor is asked for it on SSO, without acr_values; prompt=none says login_required", async () => {
      await enableFactors(h(), ["OTP"]);
      const user = await register(h(), { email: true });
      const b = await signedInWithoutMfa(user);
      const factor = await enrolOtp(h(), user.token);

      const none = await authorize(b, { prompt: "none" });
      assert.equal(none.stop.at.searchParams.get("error"), "login_required");

      const asked = await authorize(b);
      assert.match(asked.stop.at.pathname, /\/mfa$/);
      const uid = asked.stop.at.pathname.split("/")[2] as string;
      // Reloading the step-up's first page goes back to the step, not to a sign-in page.
      const reload = await visit(b, `/interaction/${uid}`);
      assert.match(reload.at.pathname, /\/mfa$/);
      clock.advance(30_000);
      const right = await b.post(`/interaction/${uid}/mfa/verify`, {
        kind: "otp",
        code: totpAt(factor.uri, clock.now()),
      });
      const back = await visit(b, String(right.headers.location));
      const claims = ((await exchange(back.at, asked.verifier, asked.state)).claims() ?? {}) as Record<
        string,
        unknown
      >;
      assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
      const next = await authorize(b);
      assert.equal(next.stop.at.origin + next.stop.at.pathname, CB, "the raised session signs in at once");
    });

    it("step-up and a remembered device: SSO goes on without raising the session; acr_values=mfa still asks", async () => {
      await enableFactors(h(), ["OTP"], { rememberDeviceDays: 30 });
      try {
        const user = await register(h(), { email: true });
        const factor = await enrolOtp(h(), user.token);
        const b = new FormBrowser(h());
        const first = await authorize(b, { prompt: "login" });
        await b.post(`${first.stop.at.pathname}/password`, {
          account: user.email as string,
          password: user.password as string,
        });
        clock.advance(30_000);
        const proved = await b.post(`${first.stop.at.pathname}/mfa/verify`, {
          kind: "otp",
          code: totpAt(factor.uri, clock.now()),
          remember: "on",
        });
        assert.equal(proved.statusCode, 303, proved.body);
        assert.ok(b.cookies.has("gatehouse_mfa_device"));
        // Signed in again on the remembered device: one factor, amr [pwd].
        const again = await authorize(b, { prompt: "login" });
        const pwd = await b.post(`${again.stop.at.pathname}/password`, {
          account: user.email as string,
          password: user.password as string,
        });
        assert.equal(pwd.statusCode, 303);
        const session = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
        assert.deepEqual(session?.amr, ["pwd"]);

        // The policy owes a proof, the device is remembered: answered through the step-up, nothing raised.
        const sso = await authorize(b);
        assert.equal(sso.stop.at.origin + sso.stop.at.pathname, CB, sso.stop.body.slice(0, 200));
        assert.deepEqual((await exchange(sso.stop.at, sso.verifier, sso.state)).claims()?.amr, ["pwd"]);
        const still = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
        assert.deepEqual(still?.amr, ["pwd"]);
        // An RP that asks for MFA is not answered by a remembered device.
        const asked = await authorize(b, { acr_values: "mfa" });
        assert.match(asked.stop.at.pathname, /\/mfa$/);
      } finally {
        await enableFactors(h(), ["OTP"]);
      }
    });

    it("step-up, hostile: another browser gets the full sign-in page; a step finished after sign-out raises nothing", async () => {
      await enableFactors(h(), ["OTP"]);
      const user = await register(h(), { email: true });
      const b = await signedInWithoutMfa(user);
      const factor = await enrolOtp(h(), user.token);
      const asked = await authorize(b, { acr_values: "mfa" });
      const uid = asked.stop.at.pathname.split("/")[2] as string;

      // A browser without that session: the interaction is an ordinary sign-in for it.
      const stranger = new FormBrowser(h());
      const page = await stranger.get(`/interaction/${uid}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /name="password"/);
      const theirPage = await stranger.get(`/interaction/${uid}/mfa`);
      assert.equal(theirPage.statusCode, 303, "nothing of the user's step is shown");
      const theirStep = await stranger.post(`/interaction/${uid}/mfa/verify`, {
        kind: "otp",
        code: "123456",
      });
      assert.equal(theirStep.statusCode, 400);
      assert.ok(!stranger.cookies.has("gatehouse_session"));
      const counted = await h()
        .ctx.db.kysely.selectFrom("login_history")
        .select("id")
        .where("user_id", "=", user.userId)
        .where("method", "=", "mfa:otp")
        .execute();
      assert.equal(counted.length, 0, "another browser's guess is not an attempt on the user's factor");

      // The session ends (signed out elsewhere) before the code: nothing is raised, no tokens.
      const cookie = b.cookies.get("gatehouse_session");
      const session = await h().ctx.oidc.browserSessions.read(cookie);
      await h().ctx.oidc.browserSessions.end(session?.sessionId as string, "logout");
      clock.advance(30_000);
      const late = await b.post(`/interaction/${uid}/mfa/verify`, {
        kind: "otp",
        code: totpAt(factor.uri, clock.now()),
      });
      assert.notEqual(late.statusCode, 303, late.body.slice(0, 200));
      const row = await h()
        .ctx.db.kysely.selectFrom("oidc_browser_sessions")
        .select("amr")
        .where("session_id", "=", session?.sessionId as string)
        .executeTakeFirst();
      assert.equal(row?.amr, "pwd");
    });

    it("acr_values=mfa with prompt=none and no second factor: login_required", async () => {
      const browser = new Browser(h);
      const first = await start(browser);
      await browser.signIn(expect(first.stop, "interaction").uid, userId, "password");
      const { stop } = await start(browser, { acr_values: "mfa", prompt: "none" });
      assert.equal(expect(stop, "callback").url.searchParams.get("error"), "login_required");
    });
  },
  { clock },
);
