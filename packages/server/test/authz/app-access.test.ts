import assert from "node:assert/strict";
import { it } from "node:test";
import * as client from "openid-client";
import { FakeClock } from "../../src/lib/clock.js";
import { createApp, signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { Browser, expectStop as expect, relyingParty } from "../helpers/oidc-rp.js";

// Real time as the start: openid-client checks the tokens' iat and exp against its own clock.
const clock = new FakeClock(Date.now());
const CB = "https://rp.example.com/cb";

/**
 * Application access control at the OpenID Provider and in the outbox (docs/authorization.md
 * §Application access): /oidc/auth answers `access_denied` to the client for a user the application
 * does not allow, and every write has its event.
 */
describeEachDialect(
  "authorization: application access control",
  (h) => {
    let userId = "";
    let app: { appId: string; appSecret: string };
    let rp: client.Configuration;
    const post = async (path: string, body: unknown) => {
      const r = await mgmt(h(), "POST", path, { body });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      return r;
    };
    const events = async () =>
      (await h().ctx.repos.events.listEventsByPool(h().boot.userPoolId, 100_000)).map((e) => ({
        name: e.name,
        data: JSON.parse(e.data).data,
      }));
    /** authorize → sign in → where the browser lands. */
    async function authorize(browser: Browser, signIn: boolean) {
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: CB,
        scope: "openid",
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: "S256",
        state: "s1",
      });
      let stop = await browser.visit(url);
      if (signIn) stop = await browser.signIn(expect(stop, "interaction").uid, userId);
      return expect(stop, "callback").url;
    }

    it("setup", async () => {
      const up = await signUpByEmail(h(), "app-access@example.com", "correct horse 2");
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      userId = up.data.userId;
      app = await createApp(h(), "client_secret_post", { redirectUris: [CB], skipConsent: true });
      rp = await relyingParty(h(), app);
    });

    it("/oidc/auth: an allowed user gets a code; DENY_ALL sends access_denied with the state, even with a browser session", async () => {
      const browser = new Browser(h);
      assert.ok((await authorize(browser, true)).searchParams.get("code"));
      await post("/api/v3/update-application-permission-strategy", {
        appId: app.appId,
        permissionStrategy: "DENY_ALL",
      });
      const denied = await authorize(browser, false);
      assert.equal(denied.searchParams.get("error"), "access_denied");
      assert.equal(denied.searchParams.get("state"), "s1");
      assert.equal(denied.searchParams.get("code"), null);
      const fresh = await authorize(new Browser(h), true);
      assert.equal(fresh.searchParams.get("error"), "access_denied", "after a fresh sign-in too");
    });

    it("/oidc/auth: an ALLOW rule for the user opens it at once", async () => {
      await post("/api/v3/authorize-application-access", {
        appId: app.appId,
        list: [{ targetType: "USER", targetIdentifier: [userId], effect: "ALLOW" }],
      });
      assert.ok((await authorize(new Browser(h), true)).searchParams.get("code"));
    });

    it("events: application:access-changed, permission:add, permission:revoke", async () => {
      const before = (await events()).length;
      await post("/api/v3/update-application-permission-strategy", {
        appId: app.appId,
        permissionStrategy: "ALLOW_ALL",
      });
      const list = [{ targetType: "USER", targetIdentifier: [userId], effect: "DENY" }];
      await post("/api/v3/authorize-application-access", { appId: app.appId, list });
      await post("/api/v3/revoke-application-access", {
        appId: app.appId,
        list: [{ targetType: "USER", targetIdentifier: [userId] }],
      });
      const written = (await events()).slice(before);
      assert.deepEqual(
        written.map((e) => e.name),
        ["application:access-changed", "permission:add", "permission:revoke"],
      );
      assert.deepEqual(written[0]!.data, { appId: app.appId, permissionStrategy: "ALLOW_ALL" });
      assert.deepEqual(written[1]!.data, { appId: app.appId, list });
      const refused = await mgmt(h(), "POST", "/api/v3/authorize-application-access", {
        body: { appId: app.appId, list: [{ targetType: "ORG", targetIdentifier: ["o"], effect: "ALLOW" }] },
      });
      assert.equal(refused.statusCode, 400);
      assert.equal((await events()).length, before + 3, "a refused write has no event");
    });
  },
  { clock },
);
