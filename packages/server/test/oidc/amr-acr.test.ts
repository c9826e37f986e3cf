import assert from "node:assert/strict";
import { it } from "node:test";
import * as client from "openid-client";
import { FakeClock } from "../../src/lib/clock.js";
import { updateAppConfig } from "../../src/services/tokens/app-config.js";
import { signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { Browser, type BrowserStop, expectStop as expect, relyingParty } from "../helpers/oidc-rp.js";

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

    it("acr_values=mfa: a session without a second factor signs in again; with one, acr is mfa", async () => {
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
