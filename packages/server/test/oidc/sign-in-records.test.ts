import assert from "node:assert/strict";
import { it } from "node:test";
import * as client from "openid-client";
import { FakeClock } from "../../src/lib/clock.js";
import { createApp, jwtPayload, signInByPassword, signUpByEmail } from "../helpers/auth.js";
import { freshEmail } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { Browser, relyingParty } from "../helpers/oidc-rp.js";
import { FormBrowser } from "../helpers/pages.js";

// Real time as the start: openid-client checks the tokens' iat and exp against its own clock.
const clock = new FakeClock(Date.now());
const CB = "https://records.example.com/cb";

/** The user's login-history rows, oldest first. */
async function history(h: Harness, userId: string) {
  return h.ctx.db.kysely
    .selectFrom("login_history")
    .select(["method", "app_id", "success"])
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** The `login` events about the user, with the application each names. */
async function loginEvents(h: Harness, userId: string): Promise<string[]> {
  const rows = await h.ctx.db.kysely
    .selectFrom("events")
    .select(["data"])
    .where("user_id", "=", userId)
    .where("name", "=", "login")
    .execute();
  return rows.map((r) => JSON.parse(r.data).data.appId as string);
}

// What a sign-in through the OpenID Provider leaves behind (docs/oidc-provider.md §Login
// history, docs/events.md), and what its tokens say (docs/oidc-tokens.md).
describeEachDialect(
  "oidc: what a sign-in through the OpenID Provider records and issues",
  (h) => {
    const password = "correct horse 9";
    let email = "";
    let userId = "";
    let app: { appId: string; appSecret: string };
    let rp: client.Configuration;

    /** /oidc/auth → the hosted page's password form → the code, exchanged by openid-client. */
    async function hostedSignIn(b: FormBrowser, config: client.Configuration, signIn = true) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: CB,
        scope: "openid profile offline_access",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
      });
      let res = await b.get(url.pathname + url.search);
      assert.equal(res.statusCode, 303, res.body);
      if (signIn) {
        const uid = String(res.headers.location).split("/").pop() as string;
        await b.get(`/interaction/${uid}`);
        res = await b.post(`/interaction/${uid}/password`, { account: email, password });
        assert.equal(res.statusCode, 303, res.body);
        res = await b.get(String(res.headers.location));
      }
      const callback = new URL(String(res.headers.location));
      assert.equal(callback.origin, new URL(CB).origin, String(res.headers.location));
      return client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
    }

    it("setup: a user and a confidential client", async () => {
      email = freshEmail("records");
      const up = await signUpByEmail(h(), email, password);
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      userId = up.data.userId;
      app = await createApp(h(), "client_secret_post", {
        redirectUris: [CB],
        responseTypes: ["code", "id_token", "code id_token", "id_token token"],
      });
      rp = await relyingParty(h(), app);
    });

    it("login history: the hosted form's row is named oidc:<method>, the application's sign-in oidc; logged-in apps show it", async () => {
      const before = (await history(h(), userId)).length;
      const tokens = await hostedSignIn(new FormBrowser(h()), rp);
      // One clock instant for both: compared in name order.
      const rows = (await history(h(), userId)).slice(before);
      assert.deepEqual(rows.map((r) => [r.method, r.app_id, r.success]).sort(), [
        ["oidc", app.appId, 1],
        ["oidc:password:email", app.appId, 1],
      ]);
      const apps = await h().api("GET", "/api/v3/get-my-logged-in-apps", undefined, {
        authorization: tokens.access_token,
      });
      assert.ok(
        apps.data.some((a: { appId: string; active: boolean }) => a.appId === app.appId && a.active),
        JSON.stringify(apps),
      );
      const mine = await h().api("GET", "/api/v3/get-my-login-history?limit=2", undefined, {
        authorization: tokens.access_token,
      });
      assert.deepEqual(
        mine.data.list.map((l: { loginMethod: string; appId: string }) => [l.loginMethod, l.appId]).sort(),
        [
          ["oidc", app.appId],
          ["oidc:password:email", app.appId],
        ],
      );
    });

    it("login history: a refused password on the hosted form is an oidc:password row too", async () => {
      const b = new FormBrowser(h());
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: CB,
        scope: "openid",
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: "S256",
      });
      const res = await b.get(url.pathname + url.search);
      const uid = String(res.headers.location).split("/").pop() as string;
      await b.get(`/interaction/${uid}`);
      const wrong = await b.post(`/interaction/${uid}/password`, { account: email, password: "nope nope 1" });
      assert.equal(wrong.statusCode, 403);
      const refused = (await history(h(), userId)).filter((r) => r.success === 0);
      assert.deepEqual(
        refused.map((r) => [r.method, r.app_id]),
        [["oidc:password:email", app.appId]],
      );
    });

    it("login event: one per application sign-in — the hosted sign-in's, and a single sign-on's with no form", async () => {
      const before = await loginEvents(h(), userId);
      const b = new FormBrowser(h());
      await hostedSignIn(b, rp);
      const second = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      await hostedSignIn(b, await relyingParty(h(), second), false);
      const after = await loginEvents(h(), userId);
      assert.deepEqual(after.slice(before.length), [app.appId, second.appId]);
    });

    it("id_token alone: no access token is signed (no at_hash), beside a code or not", async () => {
      const browser = new Browser(h);
      const nonce = client.randomNonce();
      const first = await browser.visit(
        client.buildAuthorizationUrl(rp, {
          redirect_uri: CB,
          scope: "openid",
          response_type: "code",
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: "S256",
        }),
      );
      assert.equal(first.kind, "interaction");
      await browser.signIn((first as { uid: string }).uid, userId);
      for (const type of ["id_token", "code id_token"]) {
        const stop = await browser.visit(
          client.buildAuthorizationUrl(rp, { redirect_uri: CB, scope: "openid", response_type: type, nonce }),
        );
        assert.equal(stop.kind, "callback", JSON.stringify(stop));
        const front = new URLSearchParams((stop as { url: URL }).url.hash.slice(1));
        assert.equal(front.get("access_token"), null);
        const idToken = jwtPayload(front.get("id_token") as string);
        assert.equal(idToken.sub, userId);
        assert.equal(idToken.nonce, nonce);
        assert.equal(idToken.at_hash, undefined, `${type}: no access token, so no at_hash`);
      }
      const both = await browser.visit(
        client.buildAuthorizationUrl(rp, {
          redirect_uri: CB,
          scope: "openid",
          response_type: "id_token token",
          nonce,
        }),
      );
      const front = new URLSearchParams((both as { url: URL }).url.hash.slice(1));
      assert.ok(front.get("access_token"));
      assert.ok(jwtPayload(front.get("id_token") as string).at_hash, "id_token token keeps at_hash");
    });

    it("refresh: the new ID token keeps the sign-in's auth_time, not the refresh's", async () => {
      const tokens = await hostedSignIn(new FormBrowser(h()), rp);
      const signedInAt = tokens.claims()?.auth_time;
      assert.equal(typeof signedInAt, "number");
      clock.advance(5000);
      const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token as string);
      assert.ok(
        (jwtPayload(refreshed.id_token as string).iat as number) > (signedInAt as number),
        "the new token is newer",
      );
      assert.equal(refreshed.claims()?.auth_time, signedInAt);
    });

    it("refresh: a sign-in through /api/v3 keeps its auth_time too", async () => {
      const signIn = await signInByPassword(h(), { email, password }, { scope: "openid offline_access" });
      assert.equal(signIn.statusCode, 200, JSON.stringify(signIn));
      const at = jwtPayload(signIn.data.id_token).auth_time;
      clock.advance(5000);
      const refreshed = await client.refreshTokenGrant(
        await relyingParty(h(), h().boot),
        signIn.data.refresh_token,
      );
      assert.equal(refreshed.claims()?.auth_time, at);
    });
  },
  { clock },
);
