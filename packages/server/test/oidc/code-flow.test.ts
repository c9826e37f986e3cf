import assert from "node:assert/strict";
import { it } from "node:test";
import * as client from "openid-client";
import { FakeClock } from "../../src/lib/clock.js";
import { updateAppConfig } from "../../src/services/tokens/app-config.js";
import { createApp, jwtPayload, signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { Browser, expectStop as expect, formPostRequest, ISSUER, relyingParty } from "../helpers/oidc-rp.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

// Real time as the start: openid-client checks the tokens' iat and exp against its own clock.
const clock = new FakeClock(Date.now());
const CB = "https://rp.example.com/cb";

// The code flow driven by a real relying party, openid-client 6 (docs/oidc-provider.md).
describeEachDialect(
  "oidc: the code flow with openid-client",
  (h) => {
    let userId = "";
    let confidential: client.Configuration;
    let publicApp: { appId: string; appSecret: string };
    let pub: client.Configuration;

    /** authorize → (sign in) → callback, for a code response with PKCE. */
    async function codeFlow(
      browser: Browser,
      config: client.Configuration,
      params: Record<string, string> = {},
      expectSignIn = true,
    ) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: CB,
        scope: "openid profile email offline_access",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
        ...params,
      });
      let stop = await browser.visit(url);
      if (expectSignIn) stop = await browser.signIn(expect(stop, "interaction").uid, userId);
      const callback = expect(stop, "callback").url;
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        ...(params.max_age ? { maxAge: Number(params.max_age) } : {}),
      });
      return { tokens, callback };
    }

    it("setup: a user, a confidential and a public client", async () => {
      const up = await signUpByEmail(h(), "rp-user@example.com", "correct horse 1");
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      userId = up.data.userId;
      await updateAppConfig(h().ctx.repos, h().ctx.clock, h().boot.appId, {
        redirectUris: [CB],
        logoutRedirectUris: ["https://rp.example.com/bye"],
      });
      confidential = await relyingParty(h(), h().boot);
      publicApp = await createApp(h(), "none", { redirectUris: [CB] });
      pub = await relyingParty(h(), publicApp, "none");
    });

    it("discovery: openid-client reads the provider's metadata", async () => {
      const meta = confidential.serverMetadata();
      assert.equal(meta.issuer, ISSUER);
      assert.equal(meta.authorization_endpoint, `${ISSUER}/auth`);
      assert.ok(meta.response_types_supported?.includes("code"));
      assert.deepEqual(meta.code_challenge_methods_supported, ["S256"]);
    });

    it("code flow: a confidential client with PKCE gets tokens that every user route accepts", async () => {
      const browser = new Browser(h);
      const { tokens } = await codeFlow(browser, confidential);
      const claims = tokens.claims();
      assert.equal(claims?.sub, userId);
      assert.equal(claims?.aud, h().boot.appId);
      assert.equal(typeof claims?.auth_time, "number");
      assert.ok(tokens.refresh_token, "offline_access gives a refresh token");
      const info = await client.fetchUserInfo(confidential, tokens.access_token, userId);
      assert.equal(info.email, "rp-user@example.com");
      const me = await h().api("GET", "/api/v3/get-profile", undefined, {
        authorization: tokens.access_token,
      });
      assert.equal(me.statusCode, 200, JSON.stringify(me));
      assert.equal(me.data.userId, userId);
      const apps = await h().api("GET", "/api/v3/get-my-logged-in-apps", undefined, {
        authorization: tokens.access_token,
      });
      assert.ok(
        apps.data.some((a: { appId: string }) => a.appId === h().boot.appId),
        JSON.stringify(apps),
      );
      const history = await h()
        .ctx.db.kysely.selectFrom("login_history")
        .selectAll()
        .where("user_id", "=", userId)
        .where("method", "=", "oidc")
        .execute();
      assert.equal(history.length, 1);
      assert.equal(history[0].app_id, h().boot.appId);
    });

    it("picture: the user's photo, else the pool's defaultAvatar, else Gatehouse's own, like a UserDto's photo", async () => {
      const pictures = async () => {
        const { tokens } = await codeFlow(new Browser(h), confidential);
        const info = await client.fetchUserInfo(confidential, tokens.access_token, userId);
        return { idToken: tokens.claims()?.picture, userInfo: info.picture };
      };
      const own = `${h().ctx.config.publicUrl}/assets/default-avatar.svg`;
      assert.deepEqual(await pictures(), { idToken: own, userInfo: own });
      await patchPoolSettings(h(), { defaultAvatar: "https://cdn.example.com/default.png" });
      try {
        const pool = "https://cdn.example.com/default.png";
        assert.deepEqual(await pictures(), { idToken: pool, userInfo: pool });
        const set = await mgmt(h(), "POST", "/api/v3/update-user", {
          body: { userId, photo: "https://cdn.example.com/rp-user.png" },
        });
        assert.equal(set.statusCode, 200, JSON.stringify(set));
        const mine = "https://cdn.example.com/rp-user.png";
        assert.deepEqual(await pictures(), { idToken: mine, userInfo: mine });
      } finally {
        await mgmt(h(), "POST", "/api/v3/update-user", { body: { userId, photo: null } });
        await patchPoolSettings(h(), { defaultAvatar: "" });
      }
    });

    it("code flow: a public client authenticates with PKCE alone", async () => {
      const { tokens } = await codeFlow(new Browser(h), pub);
      assert.equal(tokens.claims()?.aud, publicApp.appId);
      const refreshed = await client.refreshTokenGrant(pub, tokens.refresh_token as string);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      assert.equal(jwtPayload(refreshed.access_token).sub, userId);
    });

    it("code flow: an application with HS256 ID tokens (signed with its secret)", async () => {
      const hs = await createApp(h(), "client_secret_basic", {
        redirectUris: [CB],
        idTokenSignedResponseAlg: "HS256",
      });
      const rp = await relyingParty(h(), hs, "client_secret_basic", {
        id_token_signed_response_alg: "HS256",
      });
      const { tokens } = await codeFlow(new Browser(h), rp);
      assert.equal(
        JSON.parse(Buffer.from((tokens.id_token as string).split(".")[0], "base64url").toString()).alg,
        "HS256",
      );
      assert.equal(tokens.claims()?.sub, userId);
    });

    it("SSO: a second application in the same browser gets a code with no form", async () => {
      const browser = new Browser(h);
      const first = await codeFlow(browser, confidential);
      const second = await codeFlow(browser, pub, {}, false);
      assert.equal(second.tokens.claims()?.sub, userId);
      assert.equal(second.tokens.claims()?.auth_time, first.tokens.claims()?.auth_time);
    });

    it("prompt=login forces a new sign-in even with a session", async () => {
      const browser = new Browser(h);
      await codeFlow(browser, confidential);
      clock.advance(2000);
      const again = await codeFlow(browser, confidential, { prompt: "login" }, true);
      assert.ok(again.tokens.claims()?.auth_time);
    });

    it("max_age: an older sign-in must be repeated, and auth_time says when it was", async () => {
      // openid-client checks auth_time + max_age against its own clock (30 s of tolerance): catch the
      // fake clock up with real time first, which a loaded machine leaves far behind by this test.
      clock.advance(Math.max(0, Date.now() - clock.now()));
      const browser = new Browser(h);
      const first = await codeFlow(browser, confidential);
      clock.advance(3000);
      const fresh = await codeFlow(browser, confidential, { max_age: "600" }, false);
      assert.equal(fresh.tokens.claims()?.auth_time, first.tokens.claims()?.auth_time);
      const forced = await codeFlow(browser, confidential, { max_age: "1" }, true);
      assert.equal(forced.tokens.claims()?.auth_time, Math.floor(clock.now() / 1000));
    });

    it("prompt=none: with a session a code comes back at once; without one login_required", async () => {
      const browser = new Browser(h);
      await codeFlow(browser, confidential);
      await codeFlow(browser, confidential, { prompt: "none" }, false);
      const stranger = new Browser(h);
      const url = client.buildAuthorizationUrl(confidential, {
        redirect_uri: CB,
        scope: "openid",
        prompt: "none",
        state: "s1",
      });
      const callback = expect(await stranger.visit(url), "callback").url;
      await assert.rejects(
        client.authorizationCodeGrant(confidential, callback, { expectedState: "s1" }),
        (err: any) => err.error === "login_required",
      );
    });

    it("response_mode=fragment and form_post carry the code too", async () => {
      const browser = new Browser(h);
      await codeFlow(browser, confidential);
      const fragment = client.buildAuthorizationUrl(confidential, {
        redirect_uri: CB,
        scope: "openid",
        response_mode: "fragment",
        state: "f1",
      });
      const cb = expect(await browser.visit(fragment), "callback").url;
      assert.ok(new URLSearchParams(cb.hash.slice(1)).get("code"));
      assert.equal(cb.search, "");

      const formPost = client.buildAuthorizationUrl(confidential, {
        redirect_uri: CB,
        scope: "openid",
        response_mode: "form_post",
        state: "p1",
      });
      const stop = expect(await browser.visit(formPost), "form_post");
      assert.equal(stop.action, CB);
      assert.match(stop.csp, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
      assert.match(stop.csp, /form-action https:\/\/rp\.example\.com/);
      const tokens = await client.authorizationCodeGrant(confidential, formPostRequest(stop), {
        expectedState: "p1",
      });
      assert.equal(tokens.claims()?.sub, userId);
    });

    it("implicit and hybrid: only where the application enabled them, with at_hash and c_hash", async () => {
      const app = await createApp(h(), "client_secret_post", {
        redirectUris: [CB],
        responseTypes: ["code", "id_token", "code id_token", "id_token token"],
      });
      const browser = new Browser(h);
      await codeFlow(browser, confidential);

      const implicit = await relyingParty(h(), app, "client_secret_post");
      client.useIdTokenResponseType(implicit);
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(implicit, {
        redirect_uri: CB,
        scope: "openid",
        nonce,
        state: "i1",
      });
      const cb = expect(await browser.visit(url), "callback").url;
      const idToken = await client.implicitAuthentication(implicit, cb, nonce, { expectedState: "i1" });
      assert.equal(idToken.sub, userId);

      const hybrid = await relyingParty(h(), app, "client_secret_post");
      client.useCodeIdTokenResponseType(hybrid);
      const n2 = client.randomNonce();
      const url2 = client.buildAuthorizationUrl(hybrid, {
        redirect_uri: CB,
        scope: "openid",
        nonce: n2,
        state: "h1",
      });
      const cb2 = expect(await browser.visit(url2), "callback").url;
      const front = jwtPayload(new URLSearchParams(cb2.hash.slice(1)).get("id_token") as string);
      assert.ok(front.c_hash, "the front-channel ID token binds the code");
      const tokens = await client.authorizationCodeGrant(hybrid, cb2, {
        expectedNonce: n2,
        expectedState: "h1",
      });
      assert.equal(tokens.claims()?.sub, userId);

      // id_token token: openid-client 6 does not speak it; the provider's answer is checked here.
      const url3 = client.buildAuthorizationUrl(implicit, {
        redirect_uri: CB,
        scope: "openid",
        nonce: "n3",
        state: "t1",
        response_type: "id_token token",
      });
      const frag = new URLSearchParams(expect(await browser.visit(url3), "callback").url.hash.slice(1));
      const at = frag.get("access_token") as string;
      const payload = jwtPayload(frag.get("id_token") as string);
      const { createHash } = await import("node:crypto");
      const digest = createHash("sha256").update(at).digest();
      assert.equal(payload.at_hash, digest.subarray(0, 16).toString("base64url"));
      assert.equal(frag.get("token_type"), "Bearer");
      assert.equal(frag.get("refresh_token"), null, "never a refresh token in the front channel");
      const me = await client.fetchUserInfo(implicit, at, userId);
      assert.equal(me.sub, userId);
      const history = await h()
        .ctx.db.kysely.selectFrom("login_history")
        .select("method")
        .where("app_id", "=", app.appId)
        .execute();
      assert.ok(history.length >= 3 && history.every((r) => r.method === "oidc"), JSON.stringify(history));

      // code token was not enabled for this application.
      const refused = client.buildAuthorizationUrl(implicit, {
        redirect_uri: CB,
        scope: "openid",
        nonce: "n4",
        state: "t2",
        response_type: "code token",
      });
      const err = new URLSearchParams(expect(await browser.visit(refused), "callback").url.hash.slice(1));
      assert.equal(err.get("error"), "unauthorized_client");
      assert.equal(err.get("state"), "t2");
    });

    it("consent: asked of a third-party application, remembered, asked again on prompt=consent", async () => {
      const third = await createApp(h(), "client_secret_post", { redirectUris: [CB], skipConsent: false });
      const rp = await relyingParty(h(), third);
      const browser = new Browser(h);
      await codeFlow(browser, confidential);
      const ask = (extra: Record<string, string> = {}) =>
        browser.visit(
          client.buildAuthorizationUrl(rp, {
            redirect_uri: CB,
            scope: "openid email",
            state: "c1",
            ...extra,
          }),
        );
      const consent = expect(await ask(), "interaction");
      const shown = await h().ctx.oidc.interactions.find(consent.uid);
      assert.equal(shown?.kind, "consent");
      assert.equal(shown?.userId, userId);
      const cb = expect(await browser.consent(consent.uid, true), "callback").url;
      assert.ok(cb.searchParams.get("code"));
      expect(await ask(), "callback");
      const again = expect(await ask({ prompt: "consent" }), "interaction");
      const denied = expect(await browser.consent(again.uid, false), "callback").url;
      assert.equal(denied.searchParams.get("error"), "access_denied");
      assert.equal(denied.searchParams.get("state"), "c1");
      const none = expect(await ask({ scope: "openid phone", prompt: "none" }), "callback").url;
      assert.equal(none.searchParams.get("error"), "consent_required");
    });

    it("logout: id_token_hint ends the browser session and its tokens, then prompt=none fails", async () => {
      const browser = new Browser(h);
      const { tokens } = await codeFlow(browser, confidential);
      const sso = await codeFlow(browser, pub, {}, false);
      const oldCookie = browser.cookie;
      const url = client.buildEndSessionUrl(confidential, {
        id_token_hint: tokens.id_token as string,
        post_logout_redirect_uri: "https://rp.example.com/bye",
        state: "bye-1",
      });
      const done = expect(await browser.visit(url), "callback").url;
      assert.equal(done.toString(), "https://rp.example.com/bye?state=bye-1");
      assert.equal(browser.cookie, undefined, "the cookie is cleared");
      for (const t of [tokens.access_token, sso.tokens.access_token]) {
        const me = await h().inject({ method: "GET", url: `/oidc/me?access_token=${t}` });
        assert.equal(me.statusCode, 401);
      }
      await assert.rejects(client.refreshTokenGrant(pub, sso.tokens.refresh_token as string));
      browser.cookie = oldCookie;
      const silent = client.buildAuthorizationUrl(confidential, {
        redirect_uri: CB,
        scope: "openid",
        prompt: "none",
      });
      const cb = expect(await browser.visit(silent), "callback").url;
      assert.equal(cb.searchParams.get("error"), "login_required");
    });

    it("logout: without a hint the user confirms, and the browser session ends", async () => {
      const browser = new Browser(h);
      const { tokens } = await codeFlow(browser, confidential);
      const confirm = expect(
        await browser.visit(client.buildEndSessionUrl(confidential, {})),
        "logout_confirm",
      );
      const done = await h().ctx.oidc.logout.confirm(confirm.id, browser.cookie);
      assert.equal(done.redirectTo, "/oidc/session/end/success");
      assert.equal(await h().ctx.oidc.browserSessions.read(browser.cookie), undefined);
      const me = await h().inject({ method: "GET", url: `/oidc/me?access_token=${tokens.access_token}` });
      assert.equal(me.statusCode, 401);
    });
  },
  { clock },
);
