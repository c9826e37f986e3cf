import assert from "node:assert/strict";
import { it } from "node:test";
import { updateAppConfig } from "../../src/services/tokens/app-config.js";
import { signHs256Jwt } from "../../src/services/tokens/jwt.js";
import { basic, createApp, form, jwtPayload, signedInUser, signInByPassword } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";

describeEachDialect("oidc", (h) => {
  let t: Awaited<ReturnType<typeof signedInUser>>;
  it("setup", async () => {
    await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { email: "vic@example.com", username: "vic", password: "vic-pw-1234" },
      profile: { name: "Vic" },
    });
    const res = await signInByPassword(
      h(),
      { email: "vic@example.com", password: "vic-pw-1234" },
      { scope: "openid profile email offline_access" },
    );
    t = { userId: jwtPayload(res.data.access_token).sub, ...res.data };
  });

  it("/oidc/me answers every placement of the token (docs/wire-contract.md §2.5)", async () => {
    const at = t.access_token;
    const variants = [
      { method: "GET" as const, url: `/oidc/me?access_token=${at}` },
      { method: "GET" as const, url: "/oidc/me", headers: { authorization: `Bearer ${at}` } },
      { method: "GET" as const, url: "/oidc/me", headers: { authorization: at } },
      { method: "POST" as const, url: `/oidc/me?access_token=${at}` },
      {
        method: "POST" as const,
        url: "/oidc/me",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: `access_token=${at}`,
      },
      { method: "POST" as const, url: "/oidc/me", headers: { authorization: `Bearer ${at}` } },
    ];
    for (const v of variants) {
      const res = await h().inject(v);
      assert.equal(res.statusCode, 200, `${v.method} ${v.url} ${JSON.stringify(v.headers ?? {})}`);
      const body = res.json();
      assert.equal(body.sub, t.userId);
      assert.equal(body.name, "Vic");
      assert.equal(body.email, "vic@example.com");
      assert.equal(body.email_verified, false);
      assert.equal(body.phone_number, undefined, "no phone scope");
    }
  });

  it("/oidc/me: an explicit access_token wins over the authorization header", async () => {
    const other = await signedInUser(h(), "wes@example.com");
    const res = await h().inject({
      method: "GET",
      url: `/oidc/me?access_token=${t.access_token}`,
      headers: { authorization: other.access_token },
    });
    assert.equal(res.json().sub, t.userId);
  });

  it("/oidc/me without or with a bad token is 401 invalid_token with WWW-Authenticate", async () => {
    for (const url of ["/oidc/me", "/oidc/me?access_token=bad"]) {
      const res = await h().inject({ method: "GET", url });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error, "invalid_token");
      assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
    }
  });

  it("the JWKS is a bare {keys} document without private parts", async () => {
    const res = await h().inject({ method: "GET", url: "/oidc/.well-known/jwks.json" });
    const body = res.json();
    assert.deepEqual(Object.keys(body), ["keys"]);
    for (const k of body.keys) {
      assert.equal(k.kty, "RSA");
      assert.equal(k.use, "sig");
      for (const p of ["d", "p", "q", "dp", "dq", "qi"]) assert.equal(k[p], undefined);
    }
  });

  it("client credentials: Basic header for a basic client, body preferred when both; wrong secret 401 invalid_client", async () => {
    const { appId, appSecret } = h().boot;
    const basicApp = await createApp(h(), "client_secret_basic");
    const viaBasic = await form(
      h(),
      "/oidc/token/introspection",
      { token: t.access_token },
      { authorization: basic(basicApp.appId, basicApp.appSecret) },
    );
    assert.equal(viaBasic.status, 200, JSON.stringify(viaBasic.body));
    assert.equal(viaBasic.body.active, false, "another application's token");
    const both = await form(
      h(),
      "/oidc/token/introspection",
      { token: t.access_token, client_id: appId, client_secret: appSecret },
      { authorization: basic(appId, "stale") },
    );
    assert.equal(both.body.active, true);
    const wrong = await form(
      h(),
      "/oidc/token/introspection",
      { token: t.access_token },
      { authorization: basic(basicApp.appId, "x") },
    );
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, "invalid_client");
    assert.match(String(wrong.headers["www-authenticate"]), /^Basic/);
  });

  it("a bare user token in the authorization header is not client authentication", async () => {
    const res = await form(
      h(),
      "/oidc/token/introspection",
      { token: t.access_token },
      { authorization: t.access_token },
    );
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "invalid_client");
  });

  it("a `none` client authenticates with its client_id alone (or x-authing-app-id)", async () => {
    const pub = await createApp(h(), "none");
    const login = await h().api(
      "POST",
      "/api/v3/signin",
      {
        connection: "PASSWORD",
        passwordPayload: { email: "vic@example.com", password: "vic-pw-1234" },
        options: { scope: "openid offline_access" },
      },
      { "x-authing-app-id": pub.appId },
    );
    const r = await form(h(), "/oidc/token", {
      grant_type: "refresh_token",
      refresh_token: login.data.refresh_token,
      client_id: pub.appId,
    });
    assert.equal(r.status, 200);
    const intro = await form(
      h(),
      "/oidc/token/introspection",
      { token: r.body.access_token },
      { "x-authing-app-id": pub.appId },
    );
    assert.equal(intro.body.active, true);
  });

  it("/oidc/token accepts a JSON body too", async () => {
    const login = await signInByPassword(
      h(),
      { email: "vic@example.com", password: "vic-pw-1234" },
      { scope: "openid offline_access" },
    );
    const res = await h().inject({
      method: "POST",
      url: "/oidc/token",
      payload: {
        grant_type: "refresh_token",
        refresh_token: login.data.refresh_token,
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().token_type, "Bearer");
    assert.equal(res.json().expires_in, 7200);
  });

  it("a malformed request is 400 invalid_request in OAuth shape", async () => {
    const res = await form(h(), "/oidc/token", { client_id: h().boot.appId });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, "invalid_request");
    assert.equal(typeof res.body.error_description, "string");
    assert.equal(res.body.statusCode, undefined, "no envelope under /oidc");
  });

  it("session/end ends the session of id_token_hint and redirects only to a registered URI", async () => {
    await updateAppConfig(h().ctx.repos, h().ctx.clock, h().boot.appId, {
      logoutRedirectUris: ["https://app.example.com/bye"],
    });
    const login = await signInByPassword(h(), { email: "vic@example.com", password: "vic-pw-1234" });
    const unregistered = await h().inject({
      method: "GET",
      url: `/oidc/session/end?id_token_hint=${login.data.id_token}&post_logout_redirect_uri=${encodeURIComponent("https://evil.example.com/")}`,
    });
    assert.equal(unregistered.statusCode, 400);
    assert.equal(unregistered.json().error, "invalid_request");

    const login2 = await signInByPassword(h(), { email: "vic@example.com", password: "vic-pw-1234" });
    const res = await h().inject({
      method: "GET",
      url: `/oidc/session/end?id_token_hint=${login2.data.id_token}&post_logout_redirect_uri=${encodeURIComponent("https://app.example.com/bye")}&state=xyz`,
    });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, "https://app.example.com/bye?state=xyz");
    const after = await h().api("GET", "/api/v3/get-my-logged-in-apps", undefined, {
      authorization: login2.data.access_token,
    });
    assert.equal(after.apiCode, 2207);
  });

  it("session/end takes an HS256 hint only with its application's own session (an app's secret ends no other)", async () => {
    const other = await createApp(h(), "client_secret_post", { idTokenSignedResponseAlg: "HS256" });
    const login = await signInByPassword(
      h(),
      { email: "vic@example.com", password: "vic-pw-1234" },
      {},
      { "x-authing-app-id": h().boot.appId },
    );
    const { sid, sub } = jwtPayload(login.data.access_token);
    // The other app's holder signs a hint naming a session of the default app.
    const forged = signHs256Jwt(
      { iss: "http://localhost:3000/oidc", aud: other.appId, sub, sid, iat: 0, exp: 0 },
      other.appSecret,
      "JWT",
    );
    const refused = await h().inject({ method: "GET", url: `/oidc/session/end?id_token_hint=${forged}` });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error, "invalid_request");
    const open = await h().api("GET", "/api/v3/get-profile", undefined, {
      authorization: login.data.access_token,
    });
    assert.equal(open.statusCode, 200, "the session is still open");
    // A hint naming the default app's own session, but not signed with that app's secret.
    const wrongKey = signHs256Jwt(jwtPayload(login.data.id_token), "guess", "JWT");
    const bad = await h().inject({ method: "GET", url: `/oidc/session/end?id_token_hint=${wrongKey}` });
    assert.equal(bad.statusCode, 400);
  });

  it("session/end with a bad id_token_hint is 400; with nothing it asks the user to confirm", async () => {
    const bad = await h().inject({ method: "GET", url: "/oidc/session/end?id_token_hint=abc" });
    assert.equal(bad.statusCode, 400);
    const plain = await h().inject({ method: "GET", url: "/oidc/session/end" });
    assert.equal(plain.statusCode, 303);
    const id = String(plain.headers.location).replace(/^\/logout\//, "");
    assert.ok((await h().ctx.oidc.logout.find(id))?.id === id, String(plain.headers.location));
    const done = await h().inject({ method: "GET", url: "/oidc/session/end/success" });
    assert.equal(done.statusCode, 200);
    assert.match(String(done.headers["content-type"]), /text\/html/);
  });

  it("no password, code or token reaches the logs", async () => {
    const password = "log-secret-pw-77";
    await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { email: "log@example.com", password },
    });
    const login = await signInByPassword(
      h(),
      { email: "log@example.com", password },
      { scope: "openid offline_access" },
    );
    await signInByPassword(h(), { email: "log@example.com", password: `${password}-wrong` });
    await h().inject({ method: "GET", url: `/oidc/me?access_token=${login.data.access_token}` });
    const refreshed = await form(h(), "/oidc/token", {
      grant_type: "refresh_token",
      refresh_token: login.data.refresh_token,
      client_id: h().boot.appId,
      client_secret: h().boot.appSecret,
    });
    await h().inject({ method: "GET", url: `/oidc/session/end?id_token_hint=${refreshed.body.id_token}` });
    const logs = h().logs.join("\n");
    assert.ok(logs.length > 0);
    for (const secret of [
      password,
      login.data.access_token,
      login.data.refresh_token,
      refreshed.body.access_token,
      refreshed.body.refresh_token,
      refreshed.body.id_token,
      h().boot.appSecret,
    ]) {
      assert.equal(logs.includes(secret), false, secret.slice(0, 12));
    }
  });
});
