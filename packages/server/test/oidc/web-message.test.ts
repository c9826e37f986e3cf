import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { oidcPaths } from "@gatehouse/protocol";
import * as client from "openid-client";
import { FakeClock } from "../../src/lib/clock.js";
import { createApp, signUpByEmail } from "../helpers/auth.js";
import { freshEmail } from "../helpers/codes.js";
import { createHarness, describeEachDialect } from "../helpers/harness.js";
import { Browser, relyingParty } from "../helpers/oidc-rp.js";
import { FormBrowser, loginInteraction } from "../helpers/pages.js";

const clock = new FakeClock(Date.now());
const APP = "https://spa.example.com";
const CB = `${APP}/callback`;

/** What the web_message page would post, and to which origin (read from its one script). */
function postedMessage(html: string): { message: any; origin: string } {
  const m = /target\.postMessage\((\{.*\}), ("[^"]*")\);/.exec(html);
  assert.ok(m, html);
  return { message: JSON.parse(m[1] as string), origin: JSON.parse(m[2] as string) };
}

// response_mode=web_message, which GenAuth's browser SDK asks for in its popup and hidden iframe
// (docs/oidc-provider.md §Web message).
describeEachDialect(
  "oidc: response_mode=web_message",
  (h) => {
    let userId = "";
    let spa: { appId: string; appSecret: string };

    /** An authorization request as the SDK's getLoginState sends it (PKCE, prompt=none). */
    async function silent(extra: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const params = new URLSearchParams({
        client_id: spa.appId,
        redirect_uri: CB,
        response_type: "code",
        response_mode: "web_message",
        scope: "openid profile",
        state: "s-1",
        nonce: "n-1",
        prompt: "none",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        ...extra,
      });
      return { url: `${oidcPaths.authorize}?${params}`, verifier };
    }

    it("setup: a user and a public single-page application", async () => {
      const up = await signUpByEmail(h(), freshEmail("spa"), "correct horse 3");
      userId = up.data.userId;
      spa = await createApp(h(), "none", { redirectUris: [CB, "com.example.app:/cb"] });
    });

    it("discovery advertises it", async () => {
      const res = await h().inject({ method: "GET", url: oidcPaths.discovery });
      assert.deepEqual(res.json().response_modes_supported, [
        "query",
        "fragment",
        "form_post",
        "web_message",
      ]);
    });

    it("prompt=none without a cookie: login_required at once, posted to the redirect URI's origin only", async () => {
      const res = await h().inject({ method: "GET", url: (await silent()).url });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /^text\/html/);
      assert.equal(res.headers["cache-control"], "no-store");
      const { message, origin } = postedMessage(res.body);
      assert.equal(origin, APP, "never *");
      assert.deepEqual(message, {
        type: "authorization_response",
        response: { error: "login_required", error_description: "the user must sign in", state: "s-1" },
      });
      const csp = String(res.headers["content-security-policy"]);
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce && res.body.includes(`<script nonce="${nonce}">`), csp);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, new RegExp(`frame-ancestors ${APP};`), "only the application may frame it");
      assert.equal(res.headers["x-frame-options"], undefined, "frame-ancestors decides, not SAMEORIGIN");
      assert.equal(res.headers["cross-origin-opener-policy"], "unsafe-none", "a popup keeps its opener");
      const again = await h().inject({ method: "GET", url: (await silent()).url });
      assert.notEqual(
        /'nonce-([^']+)'/.exec(String(again.headers["content-security-policy"]))?.[1],
        nonce,
        "a nonce per response",
      );
    });

    it("with a browser session: the code comes in the message, and the public client exchanges it", async () => {
      const browser = new Browser(h);
      const first = await browser.visit((await silent({ prompt: "login" })).url);
      assert.equal(first.kind, "interaction");
      const signedIn = await browser.signIn((first as { uid: string }).uid, userId);
      assert.equal(signedIn.kind, "other", "the resume answers the page itself");
      const { message } = postedMessage((signedIn as { body: string }).body);
      assert.equal(message.response.state, "s-1");
      assert.equal(typeof message.response.code, "string");

      const { url, verifier } = await silent();
      const stop = await browser.visit(url);
      const { message: renewed } = postedMessage((stop as { body: string }).body);
      const rp = await relyingParty(h(), spa, "none");
      const callback = new URL(`${CB}?${new URLSearchParams(renewed.response)}`);
      const tokens = await client.authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: verifier,
        expectedState: "s-1",
        expectedNonce: "n-1",
      });
      assert.equal(tokens.claims()?.sub, userId);
    });

    it("the user's cancel on the sign-in page comes back as access_denied in a message", async () => {
      const browser = new Browser(h);
      const first = await browser.visit((await silent({ prompt: "" })).url);
      assert.equal(first.kind, "interaction");
      const { redirectTo } = await h().ctx.oidc.interactions.abort((first as { uid: string }).uid);
      const stop = await browser.visit(redirectTo);
      const { message, origin } = postedMessage((stop as { body: string }).body);
      assert.equal(origin, APP);
      assert.equal(message.response.error, "access_denied");
      assert.equal(message.response.state, "s-1");
    });

    it("hostile input: a state that tries to end the script stays inside the JSON", async () => {
      const state = "</script><script>alert(1)</script>\u2028";
      const res = await h().inject({ method: "GET", url: (await silent({ state })).url });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body.split("<script").length - 1, 1, "one script element");
      assert.equal(postedMessage(res.body).message.response.state, state);
    });

    it("an unregistered redirect URI gets the error page and no message; an app scheme is refused", async () => {
      const other = await h().inject({
        method: "GET",
        url: (await silent({ redirect_uri: "https://evil.example.net/cb" })).url,
      });
      assert.equal(other.statusCode, 400);
      assert.doesNotMatch(other.body, /postMessage/);
      const scheme = await h().inject({
        method: "GET",
        url: (await silent({ redirect_uri: "com.example.app:/cb" })).url,
      });
      assert.equal(scheme.statusCode, 303);
      const back = new URL(String(scheme.headers.location));
      assert.equal(back.searchParams.get("error"), "invalid_request");
      assert.match(String(back.searchParams.get("error_description")), /web_message/);
    });
  },
  { clock },
);

// GATEHOUSE_BROWSER_SESSION_CROSS_SITE: the browser session cookie for an application's iframe on
// another site (docs/oidc-provider.md §Web message).
describe("oidc: the browser session cookie across sites", () => {
  it("SameSite=Lax by default; SameSite=None and Secure when the operator turns it on", async () => {
    for (const [crossSite, sameSite] of [
      [false, "Lax"],
      [true, "None"],
    ] as const) {
      const { harness, close } = await createHarness("sqlite", {
        config: { publicUrl: "https://id.example.com", browserSessionCrossSite: crossSite },
      });
      try {
        const up = await signUpByEmail(harness, freshEmail("cookie"), "correct horse 4");
        const uid = await loginInteraction(harness);
        const b = new FormBrowser(harness);
        await b.get(`/interaction/${uid}`);
        const res = await b.post(`/interaction/${uid}/password`, {
          account: up.data.email,
          password: "correct horse 4",
        });
        const cookie = res.cookies.find((c) => c.name === "gatehouse_session");
        assert.equal(cookie?.sameSite, sameSite);
        assert.equal(cookie?.secure, true);
        assert.equal(cookie?.httpOnly, true);
      } finally {
        await close();
      }
    }
  });
});
