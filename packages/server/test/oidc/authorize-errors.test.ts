import assert from "node:assert/strict";
import { it } from "node:test";
import * as client from "openid-client";
import { FakeClock } from "../../src/lib/clock.js";
import { updateAppConfig } from "../../src/services/tokens/app-config.js";
import { createApp, signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { Browser, type BrowserStop, expectStop as expect, relyingParty } from "../helpers/oidc-rp.js";

const clock = new FakeClock(Date.now());
const CB = "https://rp.example.com/cb";

/** The OAuth error a rejected openid-client call carries. */
const oauthError = (code: string) => (err: any) => {
  assert.equal(err?.error, code, String(err?.error_description ?? err));
  return true;
};

// The negative paths of the OpenID Foundation's basic-OP plan, one named test each, and the
// endpoint's answers to hostile input (docs/oidc-provider.md §Errors).
describeEachDialect(
  "oidc: authorization errors",
  (h) => {
    let userId = "";
    let rp: client.Configuration;
    let publicApp: { appId: string; appSecret: string };
    let pub: client.Configuration;
    let browser: Browser;

    const authorize = (params: Record<string, string>) =>
      browser.visit(`/oidc/auth?${new URLSearchParams(params).toString()}`);
    const base = () => ({
      client_id: h().boot.appId,
      redirect_uri: CB,
      response_type: "code",
      scope: "openid",
      state: "s-1",
    });
    /** The error the client receives at its redirect URI. */
    const clientError = (stop: BrowserStop) => {
      const url = expect(stop, "callback").url;
      const params = url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
      return {
        error: params.get("error"),
        description: params.get("error_description"),
        state: params.get("state"),
      };
    };
    /** A code for the signed-in browser, with PKCE. */
    async function code(config: client.Configuration, verifier = client.randomPKCECodeVerifier()) {
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: CB,
        scope: "openid offline_access",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state: "c-1",
      });
      return { callback: expect(await browser.visit(url), "callback").url, verifier };
    }

    it("setup", async () => {
      const up = await signUpByEmail(h(), "negative@example.com", "correct horse 1");
      userId = up.data.userId;
      await updateAppConfig(h().ctx.repos, h().ctx.clock, h().boot.appId, { redirectUris: [CB] });
      rp = await relyingParty(h(), h().boot);
      publicApp = await createApp(h(), "none", { redirectUris: [CB] });
      pub = await relyingParty(h(), publicApp, "none");
      browser = new Browser(h);
      const first = expect(await authorize(base()), "interaction");
      expect(await browser.signIn(first.uid, userId), "callback");
    });

    it("redirect URI mismatch: an error page, never a redirect", async () => {
      const stop = expect(
        await authorize({ ...base(), redirect_uri: "https://evil.example.com/cb" }),
        "error_page",
      );
      assert.equal(stop.status, 400);
      assert.match(stop.body, /redirect_uri is not registered for this client/);
      const prefix = expect(await authorize({ ...base(), redirect_uri: `${CB}/more` }), "error_page");
      assert.equal(prefix.status, 400);
    });

    it("unknown client: an error page, never a redirect", async () => {
      const stop = expect(await authorize({ ...base(), client_id: "no-such-client" }), "error_page");
      assert.match(stop.body, /invalid_client/);
      const missing = expect(
        await authorize({ redirect_uri: CB, response_type: "code", scope: "openid" }),
        "error_page",
      );
      assert.match(missing.body, /client_id is required/);
    });

    it("unsupported response type: unsupported_response_type to the client, with state", async () => {
      assert.deepEqual(clientError(await authorize({ ...base(), response_type: "token" })), {
        error: "unsupported_response_type",
        description: "response_type token is not supported",
        state: "s-1",
      });
      assert.equal(clientError(await authorize({ ...base(), response_type: "" })).error, "invalid_request");
    });

    it("missing openid scope: invalid_scope", async () => {
      const e = clientError(await authorize({ ...base(), scope: "profile email" }));
      assert.equal(e.error, "invalid_scope");
      assert.equal(e.description, "scope must include openid");
    });

    it("code reuse: invalid_grant, and the tokens of the first exchange are revoked", async () => {
      const { callback, verifier } = await code(rp);
      const tokens = await client.authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: verifier,
        expectedState: "c-1",
      });
      await assert.rejects(
        client.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier, expectedState: "c-1" }),
        oauthError("invalid_grant"),
      );
      const me = await h().inject({ method: "GET", url: `/oidc/me?access_token=${tokens.access_token}` });
      assert.equal(me.statusCode, 401);
      await assert.rejects(
        client.refreshTokenGrant(rp, tokens.refresh_token as string),
        oauthError("invalid_grant"),
      );
    });

    it("code used by another client: invalid_grant, and the code is not spent", async () => {
      const { callback, verifier } = await code(rp);
      await assert.rejects(
        client.authorizationCodeGrant(pub, callback, { pkceCodeVerifier: verifier, expectedState: "c-1" }),
        oauthError("invalid_grant"),
      );
      const tokens = await client.authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: verifier,
        expectedState: "c-1",
      });
      assert.equal(tokens.claims()?.sub, userId);
      // A spent code presented by another client revokes nothing: only its own client's replay does.
      await assert.rejects(
        client.authorizationCodeGrant(pub, callback, { pkceCodeVerifier: verifier, expectedState: "c-1" }),
        oauthError("invalid_grant"),
      );
      const me = await h().inject({ method: "GET", url: `/oidc/me?access_token=${tokens.access_token}` });
      assert.equal(me.statusCode, 200);
    });

    it("PKCE missing for a public client: invalid_request", async () => {
      const e = clientError(await authorize({ ...base(), client_id: publicApp.appId }));
      assert.equal(e.error, "invalid_request");
      assert.equal(e.description, "PKCE is required for public clients: send code_challenge");
    });

    it("PKCE: plain is refused unless the application allows it; a malformed challenge is refused", async () => {
      const plain = clientError(
        await authorize({ ...base(), code_challenge: "a".repeat(43), code_challenge_method: "plain" }),
      );
      assert.equal(plain.description, "code_challenge_method plain is not allowed; use S256");
      const bad = clientError(
        await authorize({ ...base(), code_challenge: "short", code_challenge_method: "S256" }),
      );
      assert.equal(bad.description, "code_challenge is malformed");
    });

    it("wrong verifier: invalid_grant; a verifier without a challenge too", async () => {
      const { callback } = await code(pub);
      await assert.rejects(
        client.authorizationCodeGrant(pub, callback, {
          pkceCodeVerifier: client.randomPKCECodeVerifier(),
          expectedState: "c-1",
        }),
        oauthError("invalid_grant"),
      );
      const url = client.buildAuthorizationUrl(rp, { redirect_uri: CB, scope: "openid", state: "n-1" });
      const plainCallback = expect(await browser.visit(url), "callback").url;
      await assert.rejects(
        client.authorizationCodeGrant(rp, plainCallback, {
          pkceCodeVerifier: client.randomPKCECodeVerifier(),
          expectedState: "n-1",
        }),
        oauthError("invalid_grant"),
      );
    });

    it("prompt=none without a session: login_required", async () => {
      const stranger = new Browser(h);
      const stop = await stranger.visit(`/oidc/auth?${new URLSearchParams({ ...base(), prompt: "none" })}`);
      assert.deepEqual(clientError(stop), {
        error: "login_required",
        description: "the user must sign in",
        state: "s-1",
      });
    });

    it("nonce required for implicit: invalid_request", async () => {
      const app = await createApp(h(), "client_secret_post", {
        redirectUris: [CB],
        responseTypes: ["id_token"],
      });
      const e = clientError(await authorize({ ...base(), client_id: app.appId, response_type: "id_token" }));
      assert.equal(e.error, "invalid_request");
      assert.equal(e.description, "nonce is required for response_type id_token");
      const query = clientError(
        await authorize({
          ...base(),
          client_id: app.appId,
          response_type: "id_token",
          nonce: "n",
          response_mode: "query",
        }),
      );
      assert.equal(query.description, "response_mode query is not allowed for response_type id_token");
    });

    it("prompt: unknown words and none with others are refused", async () => {
      assert.equal(
        clientError(await authorize({ ...base(), prompt: "bogus" })).description,
        "prompt bogus is not supported",
      );
      assert.equal(
        clientError(await authorize({ ...base(), prompt: "none login" })).description,
        "prompt none must be used alone",
      );
      assert.equal(
        clientError(await authorize({ ...base(), max_age: "-1" })).description,
        "max_age must be a whole number of seconds",
      );
    });

    it("request objects are not supported; tenantId and unknown parameters are ignored", async () => {
      assert.equal(
        clientError(await authorize({ ...base(), request: "x.y.z" })).error,
        "request_not_supported",
      );
      const ok = expect(await authorize({ ...base(), tenantId: "t-1", something_else: "1" }), "callback").url;
      assert.ok(ok.searchParams.get("code"));
    });

    it("/oauth/auth: the OAuth 2.0 mode needs no openid and answers no ID token", async () => {
      const q = (extra: Record<string, string>) =>
        `/oauth/auth?${new URLSearchParams({ ...base(), ...extra })}`;
      const ok = expect(await browser.visit(q({ scope: "profile" })), "callback").url;
      assert.ok(ok.searchParams.get("code"));
      const app = await createApp(h(), "client_secret_post", {
        redirectUris: [CB],
        responseTypes: ["id_token"],
      });
      const refused = clientError(
        await browser.visit(q({ client_id: app.appId, response_type: "id_token", nonce: "n" })),
      );
      assert.equal(refused.error, "unsupported_response_type");
    });

    it("POST /oidc/auth is the same endpoint", async () => {
      const stop = await browser.visit("/oidc/auth", "POST", base());
      assert.ok(expect(stop, "callback").url.searchParams.get("code"));
    });

    it("hostile input: oversized parameters answer 400, never 500", async () => {
      const res = await h().inject({
        method: "GET",
        url: `/oidc/auth?${new URLSearchParams({ ...base(), state: "x".repeat(5000) })}`,
      });
      assert.equal(res.statusCode, 400);
      const resume = await h().inject({ method: "GET", url: `/oidc/auth/resume/${"u".repeat(40)}` });
      assert.equal(resume.statusCode, 400);
      assert.match(resume.body, /expired or was already used/);
    });

    it("resume: an answered sign-in continues only in the browser that signed in", async () => {
      const other = new Browser(h);
      const stop = expect(await other.visit(`/oidc/auth?${new URLSearchParams(base())}`), "interaction");
      const done = await h().ctx.oidc.interactions.finishLogin(stop.uid, {
        userId,
        method: "password",
        ip: null,
        userAgent: null,
      });
      const thief = new Browser(h);
      expect(await thief.visit(done.redirectTo), "error_page");
      other.cookie = done.cookie.value;
      expect(await other.visit(done.redirectTo), "callback");
      expect(await other.visit(done.redirectTo), "error_page");
    });

    it("expired code: invalid_grant (the clock moves past its 60 seconds)", async () => {
      const { callback, verifier } = await code(rp);
      clock.advance(61_000);
      await assert.rejects(
        client.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier, expectedState: "c-1" }),
        oauthError("invalid_grant"),
      );
    });
  },
  { clock },
);
