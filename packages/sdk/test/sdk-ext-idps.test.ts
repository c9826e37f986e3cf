import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { FormBrowser } from "../../server/test/helpers/pages.js";
import {
  listenUpstream,
  pathOf,
  signInUpstream,
  type UpstreamIdp,
} from "../../server/test/helpers/upstream-idp.js";
import { GatehouseError, ManagementClient } from "../src/index.js";
import { clientFor, fresh, signedInUser } from "./helpers/accounts.js";
import { liveGatehouse } from "./helpers/gatehouse.js";

// External identity providers and account binding through our SDK, against a real Gatehouse and a
// real upstream OpenID Provider for the link round trip (docs/social-sign-in.md).
describe("SDK: external identity providers and account binding against a real Gatehouse", () => {
  const gh = liveGatehouse({ idpAllowHttp: true });
  let upstream: UpstreamIdp;
  after(async () => upstream?.close());
  const mgmt = () =>
    new ManagementClient({
      accessKeyId: gh().h.boot.userPoolId,
      accessKeySecret: gh().h.boot.userPoolSecret,
      host: gh().url,
    });
  let extIdpId = "";
  let connId = "";
  const secret = "sdk-upstream-secret-0123456789";

  it("management: create, list, get, update a provider and its connection, switch it on; the secret never comes back", async () => {
    upstream = await listenUpstream();
    const m = mgmt();
    const { data: idp } = await m.createExtIdp({ name: "Corp", type: "oidc" });
    extIdpId = idp.id;
    assert.deepEqual(idp, { id: extIdpId, name: "Corp", logo: "", type: "oidc" });
    const { data: conn } = await m.createExtIdpConn({
      extIdpId,
      type: "oidc",
      identifier: "sdk-corp",
      displayName: "Corp",
      fields: { issuer: upstream.issuer, clientId: "gatehouse-sdk", clientSecret: secret },
    });
    connId = conn.id;
    assert.ok(!JSON.stringify(conn).includes(secret));
    assert.ok((await m.listExtIdp()).data.list.some((i) => i.id === extIdpId));
    assert.equal((await m.updateExtIdp({ id: extIdpId, name: "Corp 2" })).data.name, "Corp 2");
    const updated = await m.updateExtIdpConn({
      id: connId,
      displayName: "Corp account",
      fields: { scopes: "openid email" },
    });
    assert.equal(updated.data.fields.scopes, "openid email");
    assert.equal(updated.data.fields.clientSecret, undefined);
    await m.changeExtIdpConnState({ id: connId, enabled: true, appId: gh().h.boot.appId });
    const { data: detail } = await m.getExtIdp({ id: extIdpId });
    assert.deepEqual(detail.connections[0]?.appIds, [gh().h.boot.appId]);
    await m.changeExtIdpConnAssociationState({ id: connId, association: true });
    assert.equal((await m.getExtIdp({ id: extIdpId })).data.connections[0]?.association, true);
    await m.changeExtIdpConnAssociationState({ id: connId, association: false });
    const missing = await m.getExtIdp({ id: "no-such-idp" }).catch((e: unknown) => e);
    assert.ok(missing instanceof GatehouseError);
    assert.equal(missing.statusCode, 404);
    upstream.serve({
      clientId: "gatehouse-sdk",
      clientSecret: secret,
      redirectUris: [detail.connections[0]?.callbackUrl ?? ""],
      accounts: { yuri: { email: `yuri-${fresh().email}`, email_verified: true } },
    });
  });

  it("account binding: enabled connections, a link URL from the ID token, the round trip, identities, unlink", async () => {
    const listed = await clientFor(gh()).getApplicationEnabledExtIdps();
    assert.deepEqual(
      listed.data.map((e) => [e.identifier, e.extIdpId]),
      [["sdk-corp", extIdpId]],
    );
    const { client } = await signedInUser(gh());
    const idToken = client.getTokenSet()?.idToken;
    assert.ok(idToken);
    const forged = await client
      .generateLinkExtIdpUrl({
        extIdpConnIdentifier: "sdk-corp",
        appId: gh().h.boot.appId,
        idToken: `${idToken}x`,
      })
      .catch((e: unknown) => e);
    assert.ok(forged instanceof GatehouseError);
    assert.equal(forged.statusCode, 401);
    const { data: link } = await client.generateLinkExtIdpUrl({
      extIdpConnIdentifier: "sdk-corp",
      appId: gh().h.boot.appId,
      idToken,
    });
    assert.match(link.url, new RegExp(`^${gh().url}/ext-idp/${connId}/link\\?token=`));
    const b = new FormBrowser(gh().h);
    const started = await b.get(pathOf(link.url));
    assert.equal(started.statusCode, 303, started.body);
    const done = await b.get(pathOf(await signInUpstream(String(started.headers.location), "yuri")));
    assert.equal(done.statusCode, 200, done.body);

    const { data: identities } = await client.getIdentities();
    assert.deepEqual(
      identities.map((i) => [i.extIdpId, i.userIdInIdp]),
      [[extIdpId, "yuri"]],
    );
    await client.unlinkExtIdp({ extIdpId });
    assert.equal((await client.getIdentities()).data.length, 0);
    const again = await client.unlinkExtIdp({ extIdpId }).catch((e: unknown) => e);
    assert.ok(again instanceof GatehouseError);
    assert.equal(again.statusCode, 404);
  });

  it("management: linkIdentity, getUserIdentities, unlinkIdentity; deleting the connection and the provider", async () => {
    const m = mgmt();
    const id = fresh();
    const { data: user } = await m.createUser({ email: id.email, password: "Passw0rd!x" });
    assert.equal(
      (await m.linkIdentity({ userId: user.userId, extIdpId, userIdInIdp: "upstream-7" })).data.success,
      true,
    );
    const { data: linked } = await m.getUserIdentities({ userId: user.userId });
    assert.deepEqual(
      linked.map((i) => [i.extIdpId, i.userIdInIdp, i.type]),
      [[extIdpId, "upstream-7", "generic"]],
    );
    const taken = await m
      .linkIdentity({
        userId: (await m.createUser({ email: fresh().email })).data.userId,
        extIdpId,
        userIdInIdp: "upstream-7",
      })
      .catch((e: unknown) => e);
    assert.ok(taken instanceof GatehouseError);
    assert.equal(taken.statusCode, 409);
    await m.unlinkIdentity({ userId: user.userId, extIdpId });
    assert.equal((await m.getUserIdentities({ userId: user.userId })).data.length, 0);
    await m.deleteExtIdpConn({ id: connId });
    assert.equal((await m.getExtIdp({ id: extIdpId })).data.connections.length, 0);
    await m.deleteExtIdp({ id: extIdpId });
    await assert.rejects(m.getExtIdp({ id: extIdpId }), GatehouseError);
  });
});
