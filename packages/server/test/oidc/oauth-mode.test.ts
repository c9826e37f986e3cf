import assert from "node:assert/strict";
import { it } from "node:test";
import { oauthPaths, oidcPaths } from "@gatehouse/protocol";
import Fastify from "fastify";
import * as oidc from "openid-client";
import { mountRoute } from "../../src/oidc/mount.js";
import { form, jwtPayload, signedInUser } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { discover } from "../helpers/openid.js";

describeEachDialect("oauth mode: /oauth/* serves the same handlers without ID tokens", (h) => {
  const client = () => ({ client_id: h().boot.appId, client_secret: h().boot.appSecret });

  it("refresh at /oauth/token answers no id_token where /oidc/token does", async () => {
    const user = await signedInUser(
      h(),
      "oauth-mode@example.com",
      "correct horse 1",
      "openid profile offline_access",
    );
    const viaOidc = await form(h(), oidcPaths.token, {
      grant_type: "refresh_token",
      refresh_token: user.refresh_token,
      ...client(),
    });
    assert.equal(viaOidc.status, 200);
    assert.ok(viaOidc.body.id_token);
    const viaOauth = await form(h(), oauthPaths.token, {
      grant_type: "refresh_token",
      refresh_token: viaOidc.body.refresh_token,
      ...client(),
    });
    assert.equal(viaOauth.status, 200, JSON.stringify(viaOauth.body));
    assert.equal(viaOauth.body.id_token, undefined);
    assert.ok(viaOauth.body.access_token);
    assert.ok(viaOauth.body.refresh_token);
    assert.equal(jwtPayload(viaOauth.body.access_token).sub, user.userId);
  });

  it("/oauth/me, /oauth/token/introspection and /oauth/token/revocation answer as under /oidc", async () => {
    const user = await signedInUser(h(), "oauth-me@example.com");
    const me = await h().inject({
      method: "GET",
      url: `${oauthPaths.userInfo}?access_token=${user.access_token}`,
    });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().sub, user.userId);
    const seen = await form(h(), oauthPaths.introspection, { token: user.access_token, ...client() });
    assert.equal(seen.body.active, true);
    const revoked = await form(h(), oauthPaths.revocation, { token: user.access_token, ...client() });
    assert.equal(revoked.status, 200);
    const after = await form(h(), oauthPaths.introspection, { token: user.access_token, ...client() });
    assert.equal(after.body.active, false);
  });

  it("client credentials at /oauth/token, driven by openid-client", async () => {
    const key = await h().ctx.admin.accessKeys.create(h().boot.userPoolId);
    const rp = await discover(h(), key.id, key.secret);
    const res = await form(h(), oauthPaths.token, {
      grant_type: "client_credentials",
      scope: "jobs:run",
      client_id: key.id,
      client_secret: key.secret,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.scope, "jobs:run");
    assert.equal((await oidc.tokenIntrospection(rp, res.body.access_token)).active, true);
  });

  it("errors under /oauth are OAuth errors too, and OIDC-only endpoints are not mounted there", async () => {
    const bad = await form(h(), oauthPaths.token, { grant_type: "password" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, "unsupported_grant_type");
    for (const url of [
      "/oauth/.well-known/openid-configuration",
      "/oauth/.well-known/jwks.json",
      "/oauth/session/end",
    ]) {
      assert.equal((await h().inject({ method: "GET", url })).statusCode, 404, url);
    }
  });
});

it("a route written with its full /oidc path inside the mount is refused at start", async () => {
  const app = Fastify();
  app.register(
    async (mounted) => {
      mounted.addHook("onRoute", mountRoute("oauth"));
      mounted.get(oidcPaths.authorize, async () => "");
    },
    { prefix: "/oauth" },
  );
  await assert.rejects(async () => {
    await app.ready();
  }, /underIssuer/);
  await app.close();
});
