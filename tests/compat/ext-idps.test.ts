import assert from "node:assert/strict";
import { after, it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { FakeClock } from "../../packages/server/src/lib/clock.js";
import { FormBrowser } from "../../packages/server/test/helpers/pages.js";
import {
  listenUpstream,
  pathOf,
  signInUpstream,
  type UpstreamIdp,
} from "../../packages/server/test/helpers/upstream-idp.js";
import { authClient, describeCompat, newEmail } from "./helpers.js";

/**
 * External identity providers through the UNMODIFIED official SDK (authing-node-sdk@4.0.1): the
 * management methods of connections and identities, and the user's account binding
 * (docs/social-sign-in.md), with a real upstream (oidc-provider) for the link round trip.
 */
// Real time: the ManagementClient signs with the machine's date; the upstream signs its tokens so too.
const clock = new FakeClock(Date.now());

describeCompat(
  "compat: identity providers and account binding through authing-node-sdk@4.0.1",
  (g) => {
    let upstream: UpstreamIdp;
    after(async () => upstream?.close());
    const mc = () =>
      new ManagementClient({
        accessKeyId: g().h.boot.userPoolId,
        accessKeySecret: g().h.boot.userPoolSecret,
        host: g().url,
      });
    const ok = (r: { statusCode: number }) => assert.equal(r.statusCode, 200, JSON.stringify(r));
    let extIdpId = "";
    let connId = "";

    it("management: create, list, get, update a provider and its connection; the secret is never shown", async () => {
      upstream = await listenUpstream();
      const m = mc();
      const created = await m.createExtIdp({ name: "Corp SSO", type: "oidc" as any });
      ok(created);
      extIdpId = created.data.id;
      assert.deepEqual(created.data, { id: extIdpId, name: "Corp SSO", logo: "", type: "oidc" });
      const conn = await m.createExtIdpConn({
        extIdpId,
        type: "oidc" as any,
        identifier: "corp-sso",
        displayName: "Corp",
        fields: {
          issuer: upstream.issuer,
          clientId: "gatehouse-sdk",
          clientSecret: "sdk-upstream-secret-0123456789",
        },
      });
      ok(conn);
      connId = conn.data.id;
      assert.equal(conn.data.identifier, "corp-sso");
      assert.equal(conn.data.loginOnly, false);
      assert.ok(!JSON.stringify(conn.data).includes("sdk-upstream-secret"));
      const taken = await m.createExtIdpConn({
        extIdpId,
        type: "oidc" as any,
        identifier: "corp-sso",
        displayName: "again",
        fields: { issuer: upstream.issuer, clientId: "x", clientSecret: "y" },
      });
      assert.equal(taken.statusCode, 409);
      const mismatch = await m.createExtIdpConn({
        extIdpId,
        type: "github" as any,
        identifier: "gh",
        displayName: "GitHub",
        fields: {},
      });
      assert.equal(mismatch.statusCode, 400);
      const noSecret = await m.createExtIdpConn({
        extIdpId,
        type: "oidc" as any,
        identifier: "no-secret",
        displayName: "x",
        fields: { issuer: upstream.issuer, clientId: "x" },
      });
      assert.equal(noSecret.statusCode, 400);

      const list = await m.listExtIdp({});
      ok(list);
      assert.ok(list.data.list.some((i) => i.id === extIdpId));
      const renamed = await m.updateExtIdp({ id: extIdpId, name: "Corp SSO 2" });
      ok(renamed);
      assert.equal(renamed.data.name, "Corp SSO 2");
      const updated = await m.updateExtIdpConn({
        id: connId,
        displayName: "Corp account",
        fields: { scopes: "openid email" },
      });
      ok(updated);
      assert.equal(updated.data.displayName, "Corp account");
      const detail = await m.getExtIdp({ id: extIdpId });
      ok(detail);
      assert.equal(detail.data.connections.length, 1);
      assert.equal(detail.data.connections[0].fields.scopes, "openid email");
      assert.equal(detail.data.connections[0].fields.clientId, "gatehouse-sdk");
      assert.equal(detail.data.connections[0].fields.clientSecret, undefined);
      const missing = await m.getExtIdp({ id: "no-such-idp" });
      assert.equal(missing.statusCode, 404);

      ok(await m.changeExtIdpConnState({ id: connId, enabled: true, appId: g().h.boot.appId }));
      ok(await m.changeExtIdpConnAssociationState({ id: connId, association: true }));
      const enabled = await m.getExtIdp({ id: extIdpId });
      assert.deepEqual(enabled.data.connections[0].appIds, [g().h.boot.appId]);
      assert.equal(enabled.data.connections[0].association, true);
      const foreignApp = await m.changeExtIdpConnState({ id: connId, enabled: true, appId: "not-an-app" });
      assert.equal(foreignApp.statusCode, 404);
      upstream.serve({
        clientId: "gatehouse-sdk",
        clientSecret: "sdk-upstream-secret-0123456789",
        redirectUris: [enabled.data.connections[0].callbackUrl],
        accounts: { zoe: { email: newEmail("zoe-upstream"), email_verified: true } },
      });
    });

    it("account binding: enabled connections, link through the upstream, identities, unlink (never the last way in)", async () => {
      const anon = authClient(g());
      const listed = await anon.getApplicationEnabledExtIdps();
      ok(listed);
      assert.equal(listed.data.length, 1);
      const info = listed.data[0];
      assert.equal(info?.identifier, "corp-sso");
      assert.equal(info?.extIdpId, extIdpId);
      assert.equal(info?.extIdpType, "enterprise");
      assert.match(
        info?.bindUrl ?? "",
        /\/api\/v3\/generate-link-extidp-url\?ext_idp_conn_identifier=corp-sso&app_id=/,
      );

      const email = newEmail("binder");
      const password = "binder-pass-123";
      ok(await anon.signUpByEmailPassword({ email, password }));
      const tokens = await anon.signInByEmailPassword({
        email,
        password,
        options: { scope: "openid profile" },
      } as any);
      ok(tokens);
      const idToken = tokens.data.id_token as string;
      assert.ok(idToken, "the sign-in answers an ID token");
      const user = authClient(g(), "client_secret_post", { accessToken: tokens.data.access_token });

      const bad = await anon.generateLinkExtIdpUrl({
        extIdpConnIdentifier: "corp-sso",
        appId: g().h.boot.appId,
        idToken: `${idToken}x`,
      });
      assert.equal(bad.statusCode, 401);
      const foreignTarget = await anon.generateLinkExtIdpUrl({
        extIdpConnIdentifier: "corp-sso",
        appId: g().h.boot.appId,
        idToken,
        targetUrl: "https://evil.example.net/",
      });
      assert.equal(foreignTarget.statusCode, 400);
      const link = await anon.generateLinkExtIdpUrl({
        extIdpConnIdentifier: "corp-sso",
        appId: g().h.boot.appId,
        idToken,
      });
      ok(link);
      assert.match(link.data.url, new RegExp(`/ext-idp/${connId}/link\\?token=`));

      // The browser opens it (bound to that browser, once), signs in upstream, comes back linked.
      const b = new FormBrowser(g().h);
      const started = await b.get(pathOf(link.data.url));
      assert.equal(started.statusCode, 303, started.body);
      assert.equal((await new FormBrowser(g().h).get(pathOf(link.data.url))).statusCode, 400, "single use");
      const back = await signInUpstream(String(started.headers.location), "zoe");
      const done = await b.get(pathOf(back), { "accept-language": "en-US" });
      assert.equal(done.statusCode, 200, done.body);
      assert.match(done.body, /Corp account account is now linked/);

      const identities = await user.getIdentities();
      ok(identities);
      assert.equal(identities.data.length, 1);
      assert.deepEqual(
        [identities.data[0]?.extIdpId, identities.data[0]?.provider, identities.data[0]?.userIdInIdp],
        [extIdpId, "oidc", "zoe"],
      );
      const m = mc();
      const userId = (await user.getProfile({})).data.userId;
      const viaManagement = await m.getUserIdentities({ userId });
      ok(viaManagement);
      assert.equal(viaManagement.data[0]?.userIdInIdp, "zoe");

      ok(await user.unlinkExtIdp({ extIdpId }));
      assert.equal((await user.getIdentities()).data.length, 0);
      const again = await user.unlinkExtIdp({ extIdpId });
      assert.equal(again.statusCode, 404);
    });

    it("management: link-identity and unlink-identity; the last way to sign in stays", async () => {
      const m = mc();
      const only = await m.createUser({ username: `upstream-only-${Date.now()}` } as any);
      ok(only);
      const userId = only.data.userId;
      const linked = await m.linkIdentity({ userId, extIdpId, userIdInIdp: "mgmt-linked" });
      ok(linked);
      assert.deepEqual(linked.data, { success: true });
      const other = await m.createUser({ username: `other-${Date.now()}` } as any);
      const taken = await m.linkIdentity({ userId: other.data.userId, extIdpId, userIdInIdp: "mgmt-linked" });
      assert.equal(taken.statusCode, 409);
      const ids = await m.getUserIdentities({ userId });
      assert.deepEqual(
        ids.data.map((i) => [i.userIdInIdp, i.type]),
        [["mgmt-linked", "generic"]],
      );
      const last = await m.unlinkIdentity({ userId, extIdpId });
      assert.deepEqual(
        [last.statusCode, last.apiCode],
        [422, 2217],
        "a username without a password cannot sign in",
      );
      ok(await m.linkIdentity({ userId, extIdpId, userIdInIdp: "mgmt-second", type: "openid" }));
      ok(await m.unlinkIdentity({ userId, extIdpId, type: "openid" }));
      const events = await g()
        .h.ctx.db.kysely.selectFrom("events")
        .select("name")
        .where("user_id", "=", userId)
        .orderBy("seq")
        .execute();
      assert.deepEqual(
        events.map((e) => e.name).filter((n) => n.includes("link")),
        ["user:link-account", "user:link-account", "user:unlink-account"],
      );
    });

    it("management: delete a connection, then the provider", async () => {
      const m = mc();
      ok(await m.deleteExtIdpConn({ id: connId }));
      assert.equal((await m.deleteExtIdpConn({ id: connId })).statusCode, 404);
      ok(await m.deleteExtIdp({ id: extIdpId }));
      assert.equal((await m.getExtIdp({ id: extIdpId })).statusCode, 404);
      assert.equal((await authClient(g()).getApplicationEnabledExtIdps()).data.length, 0);
    });
  },
  { clock, config: { idpAllowHttp: true } },
);
