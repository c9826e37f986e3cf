import assert from "node:assert/strict";
import { before, it } from "node:test";
import { oauthPaths, oidcPaths } from "@gatehouse/protocol";
import { updateAppConfig } from "../../packages/server/src/services/tokens/app-config.js";
import { AuthenticationClient, authClient, describeCompat, type Gatehouse, newEmail } from "./helpers.js";

const REDIRECT = "https://rp.example/callback";
const LOGOUT = "https://rp.example/signed-out";

/** The SDK in GenAuth's OAuth 2.0 mode (`protocol: "oauth"`): /oauth/* instead of /oidc/*. */
function oauthClient(g: Gatehouse) {
  return new AuthenticationClient({
    appId: g.h.boot.appId,
    appSecret: g.h.boot.appSecret,
    appHost: g.url,
    protocol: "oauth",
    redirectUri: REDIRECT,
  } as ConstructorParameters<typeof AuthenticationClient>[0]);
}

/** The SDK's client credentials, token endpoint, logout and authorize URLs (docs/oidc-tokens.md). */
describeCompat("sdk: client credentials, /oauth mode, authorize and logout URLs", (g) => {
  let key: { id: string; secret: string };
  const password = "sdk-grants-pw-1";
  const email = newEmail("grants");

  before(async () => {
    const row = await g().h.ctx.admin.accessKeys.create(g().h.boot.userPoolId, "sdk");
    key = { id: row.id, secret: row.secret };
    await updateAppConfig(g().h.ctx.repos, g().h.ctx.clock, g().h.boot.appId, {
      redirectUris: [REDIRECT],
      logoutRedirectUris: [LOGOUT],
    });
    const up = await authClient(g()).signUpByEmailPassword({ email, password });
    assert.equal(up.statusCode, 200);
  });

  it("getAccessTokenByClientCredentials with an access key pair", async () => {
    const sdk = authClient(g());
    const set: any = await sdk.getAccessTokenByClientCredentials("invoices:read", {
      accessKey: key.id,
      accessSecret: key.secret,
    });
    assert.equal(set.token_type, "Bearer");
    assert.equal(set.scope, "invoices:read");
    assert.equal(set.id_token, undefined);
    const claims = JSON.parse(Buffer.from(set.access_token.split(".")[1], "base64url").toString());
    assert.equal(claims.sub, key.id);
    // The key itself introspects and revokes it with the SDK configured as that key.
    const asKey = authClient(g(), "client_secret_post", { appId: key.id, appSecret: key.secret });
    assert.equal(((await asKey.introspectToken(set.access_token)) as any).active, true);
    assert.equal(await asKey.revokeToken(set.access_token), true);
    assert.equal(((await asKey.introspectToken(set.access_token)) as any).active, false);
  });

  it("getAccessTokenByClientCredentials: a wrong secret rejects with 401, a user scope with 400", async () => {
    const sdk = authClient(g());
    await assert.rejects(
      sdk.getAccessTokenByClientCredentials("x", { accessKey: key.id, accessSecret: "wrong" }),
      /status code 401/,
    );
    await assert.rejects(
      sdk.getAccessTokenByClientCredentials("openid", { accessKey: key.id, accessSecret: key.secret }),
      /status code 400/,
    );
  });

  it('protocol "oauth": refresh, userinfo, introspection and revocation at /oauth/*, no ID token', async () => {
    const login = await authClient(g()).signInByEmailPassword({
      email,
      password,
      options: { scope: "openid profile email offline_access" },
    });
    const sdk = oauthClient(g());
    const refreshed: any = await sdk.getNewAccessTokenByRefreshToken(login.data.refresh_token as string);
    assert.equal(typeof refreshed.access_token, "string");
    assert.equal(refreshed.id_token, undefined);
    const me: any = await sdk.getUserInfoByAccessToken(refreshed.access_token);
    assert.equal(me.email, email);
    assert.equal(((await sdk.introspectToken(refreshed.access_token)) as any).active, true);
    assert.equal(await sdk.revokeToken(refreshed.access_token), true);
    assert.equal(((await sdk.introspectToken(refreshed.access_token)) as any).active, false);
    const m2m: any = await sdk.getAccessTokenByClientCredentials("jobs", {
      accessKey: key.id,
      accessSecret: key.secret,
    });
    assert.equal(m2m.scope, "jobs");
  });

  it("buildAuthorizeUrl: /oidc/auth and /oauth/auth with the parameters the authorize endpoint reads", async () => {
    const sdk = authClient(g(), "client_secret_post", { scope: "openid profile offline_access" });
    const built = sdk.buildAuthorizeUrl({ redirectUri: REDIRECT, state: "s-1", nonce: "n-1" });
    const url = new URL(built.url);
    assert.equal(url.origin + url.pathname, g().url + oidcPaths.authorize);
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      redirect_uri: REDIRECT,
      response_mode: "query",
      response_type: "code",
      client_id: g().h.boot.appId,
      scope: "openid profile offline_access",
      state: "s-1",
      nonce: "n-1",
      prompt: "consent",
    });
    const forced = new URL(sdk.buildAuthorizeUrl({ redirectUri: REDIRECT, forced: true }).url);
    assert.equal(forced.searchParams.get("prompt"), "login");
    const oauth = new URL(oauthClient(g()).buildAuthorizeUrl({ state: "s-2" }).url);
    assert.equal(oauth.pathname, oauthPaths.authorize);
    assert.equal(oauth.searchParams.get("client_id"), g().h.boot.appId);
    assert.equal(oauth.searchParams.get("response_type"), "code");
    assert.equal(oauth.searchParams.get("redirect_uri"), REDIRECT);
  });

  it("the authorize endpoint takes both SDK URLs as they are: no session → sign in, never an error page", async (t) => {
    if (!g().h.app.hasRoute({ method: "GET", url: oidcPaths.authorize })) {
      t.skip("the authorization endpoint is not served yet");
      return;
    }
    const sdk = authClient(g(), "client_secret_post", { scope: "openid profile offline_access" });
    const url = new URL(sdk.buildAuthorizeUrl({ redirectUri: REDIRECT }).url);
    const oauth = new URL(oauthClient(g()).buildAuthorizeUrl({ state: "s-2" }).url);
    for (const u of [url, oauth]) {
      const res = await fetch(u, { redirect: "manual" });
      assert.equal(res.status, 303, u.pathname);
      assert.match(res.headers.get("location") ?? "", /\/interaction\//);
    }
  });

  it("buildLogoutUrl: /oidc/session/end with id_token_hint, the registered URI and state", async () => {
    const login = await authClient(g()).signInByEmailPassword({
      email,
      password,
      options: { scope: "openid" },
    });
    const idToken = login.data.id_token as string;
    const sdk = authClient(g());
    const url = new URL(sdk.buildLogoutUrl({ idToken, redirectUri: LOGOUT, state: "bye" }) as string);
    assert.equal(url.origin + url.pathname, g().url + oidcPaths.endSession);
    assert.equal(url.searchParams.get("id_token_hint"), idToken);
    const res = await fetch(url, { redirect: "manual" });
    assert.ok(res.status === 302 || res.status === 303, String(res.status));
    assert.equal(res.headers.get("location"), `${LOGOUT}?state=bye`);
    // The session of the hint has ended: its access token is refused.
    await assert.rejects(sdk.getUserInfoByAccessToken(login.data.access_token as string), /status code 401/);
  });
});
