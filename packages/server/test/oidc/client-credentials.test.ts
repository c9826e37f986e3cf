import assert from "node:assert/strict";
import { it } from "node:test";
import { authPaths } from "@gatehouse/protocol";
import * as oidc from "openid-client";
import { FakeClock } from "../../src/lib/clock.js";
import { CLIENT_TOKEN_TTL_SECONDS } from "../../src/services/tokens/client-tokens.js";
import { basic, form, jwtHeader, jwtPayload, signedInUser } from "../helpers/auth.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { discover } from "../helpers/openid.js";

const clock = new FakeClock(Date.now());

/** openid-client's error for an OAuth error answer: the `error` code it carries. */
async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) return err.error;
    throw err;
  }
  assert.fail("expected an OAuth error");
}

async function newKey(h: Harness) {
  const row = await h.ctx.admin.accessKeys.create(h.boot.userPoolId, "machine");
  return { id: row.id, secret: row.secret };
}

describeEachDialect(
  "oidc: client credentials",
  (h) => {
    let key: { id: string; secret: string };
    it("setup", async () => {
      key = await newKey(h());
    });

    it("an access key gets a token for itself with openid-client (client_secret_post and _basic)", async () => {
      for (const auth of [oidc.ClientSecretPost(key.secret), oidc.ClientSecretBasic(key.secret)]) {
        const rp = await discover(h(), key.id, undefined, auth);
        assert.ok(rp.serverMetadata().grant_types_supported?.includes("client_credentials"));
        const set = await oidc.clientCredentialsGrant(rp, { scope: "orders:read orders:write" });
        assert.equal(set.token_type.toLowerCase(), "bearer");
        assert.equal(set.scope, "orders:read orders:write");
        assert.equal(set.expires_in, CLIENT_TOKEN_TTL_SECONDS);
        assert.equal(set.id_token, undefined);
        assert.equal(set.refresh_token, undefined);
        const claims = jwtPayload(set.access_token);
        assert.equal(jwtHeader(set.access_token).typ, "at+jwt");
        assert.equal(claims.sub, key.id);
        assert.equal(claims.client_id, key.id);
        assert.equal(claims.gty, "client_credentials");
        assert.equal(claims.iss, h().ctx.tokens.issuer);
        assert.equal(claims.sid, undefined, "no session: no user signed in");
      }
    });

    it("the pool's own key (userPoolId / userPoolSecret) is an access key too", async () => {
      const rp = await discover(h(), h().boot.userPoolId, h().boot.userPoolSecret);
      const set = await oidc.clientCredentialsGrant(rp, { scope: "reports" });
      assert.equal(jwtPayload(set.access_token).sub, h().boot.userPoolId);
    });

    it("a wrong secret, an unknown key, a disabled key and a missing secret are invalid_client", async () => {
      const other = await newKey(h());
      await h().ctx.admin.accessKeys.setEnabled(h().boot.userPoolId, other.id, false);
      for (const [id, secret] of [
        [key.id, "wrong"],
        ["no-such-key", key.secret],
        [other.id, other.secret],
      ]) {
        const rp = await discover(h(), id, secret);
        assert.equal(await oauthError(oidc.clientCredentialsGrant(rp, { scope: "x" })), "invalid_client", id);
      }
      const res = await form(h(), "/oidc/token", { grant_type: "client_credentials", client_id: key.id });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, "invalid_client");
      const app = await form(h(), "/oidc/token", {
        grant_type: "client_credentials",
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
      assert.equal(app.body.error, "invalid_client", "an application is no access key");
    });

    it("scopes that describe a user, and malformed scopes, are invalid_scope", async () => {
      const rp = await discover(h(), key.id, key.secret);
      for (const scope of ["openid", "orders:read profile", "offline_access", 'bad"quote']) {
        assert.equal(await oauthError(oidc.clientCredentialsGrant(rp, { scope })), "invalid_scope", scope);
      }
      const none = await oidc.clientCredentialsGrant(rp);
      assert.equal(none.scope ?? "", "", "no scope asked, none granted");
    });

    it("user endpoints refuse the token: /api/v3 with TOKEN_NOT_A_USER, /oidc/me with invalid_token", async () => {
      const rp = await discover(h(), key.id, key.secret);
      const { access_token } = await oidc.clientCredentialsGrant(rp, { scope: "orders:read" });
      for (const [method, path, body] of [
        ["GET", authPaths.getProfile, undefined],
        ["GET", authPaths.getSecurityInfo, undefined],
        ["GET", authPaths.getMyLoggedInApps, undefined],
        ["POST", authPaths.updateProfile, { nickname: "robot" }],
      ] as const) {
        assertApiError(
          await h().api(method, path, body, { authorization: `Bearer ${access_token}` }),
          "TOKEN_NOT_A_USER",
        );
      }
      const me = await h().inject({
        method: "GET",
        url: "/oidc/me",
        headers: { authorization: `Bearer ${access_token}` },
      });
      assert.equal(me.statusCode, 401);
      assert.equal(me.json().error, "invalid_token");
      assert.match(me.json().error_description, /names no user/);
    });

    it("introspection: active for its key (no sid), inactive for an application and for another key", async () => {
      const rp = await discover(h(), key.id, key.secret);
      const { access_token } = await oidc.clientCredentialsGrant(rp, { scope: "orders:read" });
      const seen = await oidc.tokenIntrospection(rp, access_token);
      assert.equal(seen.active, true);
      assert.equal(seen.sub, key.id);
      assert.equal(seen.client_id, key.id);
      assert.equal(seen.scope, "orders:read");
      assert.equal(seen.token_type, "Bearer");
      assert.equal(seen.sid, undefined);
      const app = await discover(h(), h().boot.appId, h().boot.appSecret);
      assert.equal((await oidc.tokenIntrospection(app, access_token)).active, false);
      const other = await newKey(h());
      const otherRp = await discover(h(), other.id, other.secret);
      assert.equal((await oidc.tokenIntrospection(otherRp, access_token)).active, false);
      // A user's token is not the key's to learn about either.
      const user = await signedInUser(h(), "cc-introspect@example.com");
      assert.equal((await oidc.tokenIntrospection(rp, user.access_token)).active, false);
    });

    it("revocation by its key ends the token; another key's revocation changes nothing", async () => {
      const rp = await discover(h(), key.id, key.secret);
      const { access_token } = await oidc.clientCredentialsGrant(rp, { scope: "orders:read" });
      const other = await newKey(h());
      await oidc.tokenRevocation(await discover(h(), other.id, other.secret), access_token);
      assert.equal((await oidc.tokenIntrospection(rp, access_token)).active, true);
      await oidc.tokenRevocation(rp, access_token);
      assert.equal((await oidc.tokenIntrospection(rp, access_token)).active, false);
      await oidc.tokenRevocation(rp, access_token); // twice is fine (RFC 7009 §2.2)
      const res = await form(
        h(),
        "/oidc/token/revocation",
        { token: access_token },
        {
          authorization: basic(key.id, "wrong"),
        },
      );
      assert.equal(res.body.error, "invalid_client");
    });

    it("disabling the key ends its tokens within the cache's second; an expired token is inactive", async () => {
      const spare = await newKey(h());
      const rp = await discover(h(), spare.id, spare.secret);
      const { access_token } = await oidc.clientCredentialsGrant(rp, { scope: "jobs" });
      assert.equal(
        (
          await h().ctx.oidc.introspect({
            client: { clientId: spare.id, clientSecret: spare.secret, mechanism: "client_secret_post" },
            token: access_token,
          })
        ).active,
        true,
      );
      await h().ctx.admin.accessKeys.setEnabled(h().boot.userPoolId, spare.id, false);
      clock.advance(1000);
      assert.equal(await h().ctx.oidc.clientTokens.check(access_token), undefined);
      await h().ctx.admin.accessKeys.setEnabled(h().boot.userPoolId, spare.id, true);
      clock.advance(1000);
      assert.ok(await h().ctx.oidc.clientTokens.check(access_token));
      clock.advance(CLIENT_TOKEN_TTL_SECONDS * 1000);
      assert.equal(await h().ctx.oidc.clientTokens.check(access_token), undefined);
    });
  },
  { clock },
);
