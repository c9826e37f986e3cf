import assert from "node:assert/strict";
import { before, it } from "node:test";
import { AuthenticationClient } from "authing-node-sdk";
import { updateAppConfig } from "../../packages/server/src/services/tokens/app-config.js";
import { Browser, type BrowserStop } from "../../packages/server/test/helpers/oidc-rp.js";
import { AUTH_METHODS, describeCompat, newEmail, useAuthMethod } from "./helpers.js";

const CB = "https://sdk-rp.example.com/cb";

function callback(stop: BrowserStop): URL {
  assert.equal(stop.kind, "callback", JSON.stringify(stop).slice(0, 400));
  return (stop as { url: URL }).url;
}

/**
 * GenAuth's recommended web integration through the unmodified authing-node-sdk@4.0.1
 * (docs/wire-contract.md §2.1–2.3, §2.7; docs/oidc-provider.md): buildAuthorizeUrl → sign-in →
 * getAccessTokenByCode → buildLogoutUrl, once per token endpoint auth method.
 */
for (const method of AUTH_METHODS) {
  describeCompat(`sdk oidc code flow (${method})`, (g) => {
    let userId = "";
    let sdk: AuthenticationClient;
    const browser = new Browser(() => g().h);
    /** The SDK's URL, visited on the server that serves it. */
    const visit = (url: string) => {
      const u = new URL(url);
      return browser.visit(u.pathname + u.search);
    };

    before(async () => {
      await useAuthMethod(g(), method);
      await updateAppConfig(g().h.ctx.repos, g().h.ctx.clock, g().h.boot.appId, {
        redirectUris: [CB],
        logoutRedirectUris: ["https://sdk-rp.example.com/bye"],
      });
      sdk = new AuthenticationClient({
        appId: g().h.boot.appId,
        appSecret: method === "none" ? undefined : g().h.boot.appSecret,
        appHost: g().url,
        redirectUri: CB,
        tokenEndPointAuthMethod: method,
        introspectionEndPointAuthMethod: method,
        revocationEndPointAuthMethod: method,
      } as ConstructorParameters<typeof AuthenticationClient>[0]);
      const up = await g().h.api("POST", "/api/v3/signup", {
        connection: "PASSWORD",
        passwordPayload: { email: newEmail(`oidc-${method}`), password: "sdk-oidc-pw-1" },
      });
      userId = up.data.userId;
    });

    /** buildAuthorizeUrl, then the sign-in the hosted page does; PKCE appended by hand (the SDK never emits it). */
    async function authorize(pkce?: { challenge: string }) {
      const { url, state, nonce } = sdk.buildAuthorizeUrl({ scope: "openid profile email" });
      const full = pkce ? `${url}&code_challenge=${pkce.challenge}&code_challenge_method=S256` : url;
      let stop = await visit(full);
      if (stop.kind === "interaction") stop = await browser.signIn(stop.uid, userId);
      const cb = callback(stop);
      assert.equal(cb.searchParams.get("state"), state);
      return { code: cb.searchParams.get("code") as string, nonce };
    }

    it("buildAuthorizeUrl → getAccessTokenByCode: tokens of the signed-in user", async () => {
      const verifier = sdk.generateCodeChallenge();
      const pkce =
        method === "none"
          ? { challenge: sdk.getCodeChallengeDigest({ codeChallenge: verifier, method: "S256" }) }
          : undefined;
      const { code, nonce } = await authorize(pkce);
      const tokens: any = await sdk.getAccessTokenByCode(code, pkce ? { codeVerifier: verifier } : undefined);
      assert.ok(tokens.access_token, JSON.stringify(tokens));
      const claims: any = await sdk.parseIDToken(tokens.id_token);
      assert.equal(claims.sub, userId);
      assert.equal(claims.nonce, nonce);
      const info: any = await sdk.getUserInfoByAccessToken(tokens.access_token);
      assert.equal(info.sub, userId);
      sdk.setAccessToken(tokens.access_token);
      const profile: any = await sdk.getProfile({});
      assert.equal(profile.data.userId, userId, JSON.stringify(profile));
    });

    if (method !== "none") {
      it("getAccessTokenByCode with a codeVerifier, for a URL that carried a challenge", async () => {
        const verifier = sdk.generateCodeChallenge();
        const challenge = sdk.getCodeChallengeDigest({ codeChallenge: verifier, method: "S256" });
        const { code } = await authorize({ challenge });
        const tokens: any = await sdk.getAccessTokenByCode(code, { codeVerifier: verifier });
        assert.ok(tokens.access_token, JSON.stringify(tokens));
      });
    }

    it("buildLogoutUrl with the ID token ends the sign-in and redirects with the URI", async () => {
      const pkceVerifier = sdk.generateCodeChallenge();
      const pkce =
        method === "none"
          ? { challenge: sdk.getCodeChallengeDigest({ codeChallenge: pkceVerifier, method: "S256" }) }
          : undefined;
      const { code } = await authorize(pkce);
      const tokens: any = await sdk.getAccessTokenByCode(
        code,
        pkce ? { codeVerifier: pkceVerifier } : undefined,
      );
      const logout = await fetch(
        sdk.buildLogoutUrl({
          idToken: tokens.id_token,
          redirectUri: "https://sdk-rp.example.com/bye",
          state: "b1",
        } as never),
        { redirect: "manual" },
      );
      assert.equal(logout.status, 302);
      assert.equal(logout.headers.get("location"), "https://sdk-rp.example.com/bye?state=b1");
      const me = await fetch(`${g().url}/oidc/me?access_token=${tokens.access_token}`);
      assert.equal(me.status, 401);
    });
  });
}
