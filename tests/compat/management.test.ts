import assert from "node:assert/strict";
import { before, it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { authClient, describeCompat, type Gatehouse, newEmail, newPhone } from "./helpers.js";

/**
 * The management API through the unmodified ManagementClient of authing-node-sdk@4.0.1: every
 * request HMAC-SHA1-signed with the pool's id/secret (docs/wire-contract.md §1.4, §4).
 *
 * Note: the ManagementClient constructor sets the process-wide `axios.defaults.baseURL` (§1.1);
 * each suite builds its clients in `before`, after its server listens, so the last one wins
 * harmlessly (AuthenticationClient passes its own baseURL on every request).
 */
function managementClient(g: Gatehouse, key?: { id: string; secret: string }, extra: object = {}) {
  return new ManagementClient({
    accessKeyId: key?.id ?? g.h.boot.userPoolId,
    accessKeySecret: key?.secret ?? g.h.boot.userPoolSecret,
    host: g.url,
    ...extra,
  });
}

describeCompat("sdk management client", (g) => {
  let mc: ManagementClient;
  const password = "mgmt-sdk-pw-1";
  const email = newEmail("mgmt");
  const phone = newPhone();
  let userId: string;

  before(() => {
    mc = managementClient(g());
  });

  it("createUser with a password; the user then signs in with the AuthenticationClient", async () => {
    const r = await mc.createUser({ email, phone, password, name: "Managed", emailVerified: true } as any);
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data.email, email);
    assert.equal(r.data.phone, phone);
    assert.equal(r.data.userSourceType, "adminCreated");
    userId = r.data.userId;
    const login = await authClient(g()).signInByEmailPassword({ email, password });
    assert.equal(login.statusCode, 200, JSON.stringify(login));
  });

  it("createUsersBatch", async () => {
    const r = await mc.createUsersBatch({
      list: [{ username: `batch-a-${process.pid}` }, { username: `batch-b-${process.pid}` }],
    } as any);
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data.length, 2);
  });

  it("getUser by user_id and by email, with custom data and identities", async () => {
    const byId = await mc.getUser({ userId, withCustomData: true, withIdentities: true });
    assert.equal(byId.statusCode, 200, JSON.stringify(byId));
    assert.equal(byId.data.email, email);
    assert.deepEqual(byId.data.identities, []);
    const byEmail = await mc.getUser({ userId: email, userIdType: "email" });
    assert.equal(byEmail.data.userId, userId);
    const missing = await mc.getUser({ userId: "000000000000000000000000" });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.apiCode, 2004);
  });

  it("getUserBatch (userIds[] on the wire)", async () => {
    const r = await mc.getUserBatch({ userIds: [userId, `batch-a-${process.pid}`], userIdType: "user_id" });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.deepEqual(
      r.data.map((u) => u.userId),
      [userId],
    );
    const byName = await mc.getUserBatch({
      userIds: [`batch-a-${process.pid}`, `batch-b-${process.pid}`],
      userIdType: "username",
    });
    assert.equal(byName.data.length, 2);
  });

  it("listUsers with keywords, an advanced filter, sort and pagination", async () => {
    const r = await mc.listUsers({
      keywords: "batch-",
      advancedFilter: [{ field: "status", operator: "EQUAL" as any, value: "Activated" }],
      options: {
        pagination: { page: 1, limit: 1 },
        sort: [{ field: "username" as any, order: "desc" as any }],
      },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data.totalCount, 2);
    assert.equal(r.data.list[0]!.username, `batch-b-${process.pid}`);
  });

  it("listUsersLegacy", async () => {
    const r = await mc.listUsersLegacy({ page: 1, limit: 50 });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.ok(r.data.totalCount >= 3);
  });

  it("updateUser, including a new password", async () => {
    const r = await mc.updateUser({ userId, nickname: "mgd", password: "mgmt-sdk-pw-2" } as any);
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data.nickname, "mgd");
    const login = await authClient(g()).signInByEmailPassword({ email, password: "mgmt-sdk-pw-2" });
    assert.equal(login.statusCode, 200, JSON.stringify(login));
  });

  it("isUserExists", async () => {
    assert.equal((await mc.isUserExists({ email })).data.exists, true);
    assert.equal((await mc.isUserExists({ phone })).data.exists, true);
    assert.equal((await mc.isUserExists({ username: "nobody-here" })).data.exists, false);
  });

  it("getUserIdentities", async () => {
    const created = await mc.createUser({
      username: `ident-${process.pid}`,
      identities: [
        {
          extIdpId: "idp",
          provider: "github",
          type: "openid",
          userIdInIdp: "42",
          userInfoInIdp: {},
          originConnIds: [],
        },
      ],
    } as any);
    const r = await mc.getUserIdentities({ userId: created.data.userId });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data[0]!.userIdInIdp, "42");
  });

  it("getUserLoginHistory and getUserLoggedinApps", async () => {
    const history = await mc.getUserLoginHistory({ userId });
    assert.equal(history.statusCode, 200, JSON.stringify(history));
    assert.equal(history.data.totalCount, 2);
    assert.equal(history.data.list[0]!.appId, g().h.boot.appId);
    const apps = await mc.getUserLoggedinApps({ userId });
    assert.equal(apps.statusCode, 200, JSON.stringify(apps));
    assert.deepEqual(
      apps.data.map((a) => a.appId),
      [g().h.boot.appId],
    );
  });

  it("kickUsers ends the user's sessions: their access token stops working", async () => {
    const login = await authClient(g()).signInByEmailPassword({ email, password: "mgmt-sdk-pw-2" });
    const user = authClient(g(), "client_secret_post", { accessToken: login.data.access_token });
    assert.equal((await user.getLoggedInApps()).statusCode, 200);
    const r = await mc.kickUsers({ userId, appIds: [g().h.boot.appId] });
    assert.deepEqual(r.data, { success: true });
    assert.equal((await user.getLoggedInApps()).statusCode, 401);
  });

  it("deleteUsersBatch", async () => {
    const r = await mc.deleteUsersBatch({
      userIds: [`batch-a-${process.pid}`],
      options: { userIdType: "username" as any },
    });
    assert.deepEqual(r.data, { success: true });
    assert.equal((await mc.isUserExists({ username: `batch-a-${process.pid}` })).data.exists, false);
  });

  it("applications: create, list, get, update, secret, refresh, delete", async () => {
    const created = await mc.createApplication({
      appName: "SDK app",
      appIdentifier: `sdk-app-${process.pid}`,
      redirectUris: ["https://sdk.example/cb"],
    } as any);
    assert.equal(created.statusCode, 200, JSON.stringify(created));
    const appId = created.data.appId;
    assert.equal(created.data.userPoolId, g().h.boot.userPoolId);
    const list = await mc.listApplications({ page: 1, limit: 10 });
    assert.ok(list.data.list.some((a) => a.appId === appId));
    const got = await mc.getApplication({ appId });
    assert.deepEqual(got.data.redirectUris, ["https://sdk.example/cb"]);
    const upd = await mc.updateApplication({
      appId,
      logoutRedirectUris: ["https://sdk.example/bye"],
      oidcConfig: { token_endpoint_auth_method: "client_secret_basic", access_token_expire: 900 } as any,
    });
    assert.deepEqual(upd.data, { success: true });
    const after = await mc.getApplication({ appId });
    assert.equal((after.data.oidcConfig as any).token_endpoint_auth_method, "client_secret_basic");
    assert.deepEqual(after.data.logoutRedirectUris, ["https://sdk.example/bye"]);
    const secret = await mc.getApplicationSecret({ appId });
    const refreshed = await mc.refreshApplicationSecret({ appId });
    assert.notEqual(refreshed.data.secret, secret.data.secret);
    const del = await mc.deleteApplication({ appId });
    assert.deepEqual(del.data, { success: true });
    assert.equal((await mc.getApplication({ appId })).statusCode, 404);
  });

  it("security settings, global MFA settings and custom fields", async () => {
    const s = await mc.getSecuritySettings();
    assert.equal(s.statusCode, 200, JSON.stringify(s));
    assert.equal(s.data.verifyCodeLength, 6);
    const u = await mc.updateSecuritySettings({
      verifyCodeLength: 4,
      changeEmailStrategy: { verifyOldEmail: false },
    });
    assert.equal(u.data.verifyCodeLength, 4);
    assert.equal(u.data.changeEmailStrategy.verifyOldEmail, false);
    const mfa = await mc.updateGlobalMfaSettings({ enabledFactors: ["OTP"] });
    // GenAuth's field, then Gatehouse's policy fields with their defaults (docs/mfa.md §Policy).
    const expected = { enabledFactors: ["OTP"], policy: "optional", rememberDeviceDays: 0, apiSignin: false };
    assert.deepEqual(mfa.data, expected);
    assert.deepEqual((await mc.getGlobalMfaSettings()).data, expected);
    const set = await mc.setCustomFields({
      list: [{ targetType: "USER" as any, key: "team", dataType: "STRING" as any, label: "Team" }],
    });
    assert.equal(set.statusCode, 200, JSON.stringify(set));
    const fields = await mc.getCustomFields({ targetType: "USER" });
    assert.equal(fields.data[0]!.key, "team");
    const withData = await mc.updateUser({ userId, customData: { team: "blue" } } as any);
    assert.deepEqual(withData.data.customData, { team: "blue" });
  });

  it("access keys: an extra key signs requests until it is disabled or deleted", async () => {
    const created = await mc.createAccessKey({ type: "userpool" });
    assert.equal(created.statusCode, 200, JSON.stringify(created));
    const key = { id: created.data[0]!.accessKeyId, secret: created.data[0]!.accessKeySecret };
    const other = managementClient(g(), key);
    assert.equal((await other.getSecuritySettings()).statusCode, 200);
    const list = await mc.getAccessKeyList({});
    assert.ok(list.data.some((k) => k.accessKeyId === key.id));
    assert.equal((await mc.getAccessKey({ userId: "", accessKeyId: key.id })).data[0]!.enable, true);
    await mc.updateAccessKey({ accessKeyId: key.id, enable: false });
    assert.equal((await other.getSecuritySettings()).apiCode, 1300);
    await mc.updateAccessKey({ accessKeyId: key.id, enable: true });
    assert.equal((await other.getSecuritySettings()).statusCode, 200);
    await mc.deleteAccessKey({ accessKeyId: key.id });
    assert.equal((await other.getSecuritySettings()).apiCode, 1300);
  });

  it("an application set to HS256 ID tokens: parseIDToken checks them with its secret, and logout takes them", async () => {
    const created = await mc.createApplication({
      appName: "HS256 app",
      appIdentifier: `hs256-app-${process.pid}`,
      logoutRedirectUris: ["https://hs.example/bye"],
    } as any);
    const appId = created.data.appId;
    const upd = await mc.updateApplication({
      appId,
      oidcConfig: { id_token_signed_response_alg: "HS256" } as any,
    });
    assert.deepEqual(upd.data, { success: true });
    const got = await mc.getApplication({ appId });
    assert.equal((got.data.oidcConfig as any).id_token_signed_response_alg, "HS256");
    const appSecret = (await mc.getApplicationSecret({ appId })).data.secret;
    const hsEmail = newEmail("hs256");
    await mc.createUser({ email: hsEmail, password, emailVerified: true } as any);

    const sdk = authClient(g(), "client_secret_post", { appId, appSecret });
    const login = await sdk.signInByEmailPassword({
      email: hsEmail,
      password,
      options: { scope: "openid profile email" },
    });
    assert.equal(login.statusCode, 200, JSON.stringify(login));
    const idToken = login.data.id_token as string;
    const header = JSON.parse(Buffer.from(idToken.split(".")[0]!, "base64url").toString());
    assert.deepEqual(header, { alg: "HS256", typ: "JWT" });
    const claims: any = await sdk.parseIDToken(idToken);
    assert.equal(claims.aud, appId);
    assert.equal(claims.email, hsEmail);
    // The access token stays RS256: parseAccessToken takes no HS256.
    assert.equal((await sdk.parseAccessToken(login.data.access_token as string)).aud, appId);
    const stranger = authClient(g(), "client_secret_post", { appId, appSecret: "not-the-secret" });
    await assert.rejects(stranger.parseIDToken(idToken), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });

    const logout = await fetch(sdk.buildLogoutUrl({ idToken, redirectUri: "https://hs.example/bye" }), {
      redirect: "manual",
    });
    assert.equal(logout.status, 302);
    assert.equal(logout.headers.get("location"), "https://hs.example/bye");
    const me = await fetch(`${g().url}/oidc/me`, {
      headers: { authorization: `Bearer ${login.data.access_token}` },
    });
    assert.equal(me.status, 401, "the session of the ID token ended");

    // Back to RS256: the next ID token verifies against the JWKS again.
    await mc.updateApplication({ appId, oidcConfig: { id_token_signed_response_alg: "RS256" } as any });
    const again = await sdk.signInByEmailPassword({ email: hsEmail, password, options: { scope: "openid" } });
    const next = again.data.id_token as string;
    assert.equal(JSON.parse(Buffer.from(next.split(".")[0]!, "base64url").toString()).alg, "RS256");
    assert.equal(((await stranger.parseIDToken(next)) as any).aud, appId);
  });

  it("a client with the wrong secret is refused with 1300; tenantId and lang headers are signed too", async () => {
    const forged = managementClient(g(), { id: g().h.boot.userPoolId, secret: "wrong" });
    const r = await forged.getUser({ userId });
    assert.equal(r.statusCode, 401);
    assert.equal(r.apiCode, 1300);
    const tenant = managementClient(g(), undefined, { tenantId: "tenant-1", lang: "en-US" });
    assert.equal((await tenant.getUser({ userId })).statusCode, 200);
  });
});
