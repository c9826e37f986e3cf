import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatehouseError, ManagementClient } from "../src/index.js";
import { clientFor, fresh } from "./helpers/accounts.js";
import { liveGatehouse } from "./helpers/gatehouse.js";

describe("ManagementClient against a real Gatehouse (signed access-key requests)", () => {
  const gh = liveGatehouse();
  const mgmt = (extra: object = {}) =>
    new ManagementClient({
      accessKeyId: gh().h.boot.userPoolId,
      accessKeySecret: gh().h.boot.userPoolSecret,
      host: gh().url,
      ...extra,
    });

  it("a wrong secret is refused with the signature apiCode", async () => {
    const err = await mgmt({ accessKeySecret: "wrong" })
      .getSecuritySettings()
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.apiCode, 1300);
    assert.equal(err.name, "SIGNATURE_INVALID");
  });

  it("createUser, getUser (by id and by email), getUserBatch, updateUser, isUserExists", async () => {
    const id = fresh();
    const { data: user } = await mgmt().createUser({
      email: id.email,
      password: "Passw0rd!x",
      nickname: "N",
    });
    assert.equal(user.email, id.email);
    assert.equal((await mgmt().getUser({ userId: user.userId })).data.userId, user.userId);
    assert.equal((await mgmt().getUser({ userId: id.email, userIdType: "email" })).data.userId, user.userId);
    const batch = await mgmt().getUserBatch({ userIds: [user.userId] });
    assert.equal(batch.data.length, 1);
    const updated = await mgmt().updateUser({ userId: user.userId, nickname: "M", phone: id.phone });
    assert.equal(updated.data.nickname, "M");
    assert.equal((await mgmt().isUserExists({ email: id.email })).data.exists, true);
    assert.equal((await mgmt().isUserExists({ email: `no-${id.email}` })).data.exists, false);
  });

  it("createUsersBatch, listUsers (keywords, pagination), listUsersLegacy, deleteUsersBatch", async () => {
    const a = fresh();
    const b = fresh();
    const { data: users } = await mgmt().createUsersBatch({
      list: [
        { username: a.username, password: "Passw0rd!x" },
        { username: b.username, password: "Passw0rd!x" },
      ],
    });
    assert.equal(users.length, 2);
    const found = await mgmt().listUsers({
      keywords: a.username,
      options: { pagination: { page: 1, limit: 10 } },
    });
    assert.ok(found.data.list.some((u) => u.username === a.username));
    const legacy = await mgmt().listUsersLegacy({ page: 1, limit: 50 });
    assert.ok(legacy.data.totalCount >= 2);
    await mgmt().deleteUsersBatch({ userIds: users.map((u) => u.userId) });
    const err = await mgmt()
      .getUser({ userId: users[0].userId })
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 404);
  });

  it("getUserIdentities, getUserLoginHistory, getUserLoggedinApps and kickUsers", async () => {
    const id = fresh();
    const { data: user } = await mgmt().createUser({ email: id.email, password: "Passw0rd!x" });
    const auth = clientFor(gh());
    await auth.signInByEmailPassword({ email: id.email, password: "Passw0rd!x" });
    assert.ok(Array.isArray((await mgmt().getUserIdentities({ userId: user.userId })).data));
    const history = await mgmt().getUserLoginHistory({ userId: user.userId });
    assert.ok(history.data.totalCount >= 1);
    const apps = await mgmt().getUserLoggedinApps({ userId: user.userId });
    assert.ok(apps.data.some((a) => a.appId === gh().h.boot.appId));
    await mgmt().kickUsers({ userId: user.userId, appIds: [gh().h.boot.appId] });
    const err = await auth.getLoginHistory().catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 401);
  });

  it("applications: create, list, get, update, secret, refresh secret, delete", async () => {
    const { data: app } = await mgmt().createApplication({
      appName: "SDK app",
      appIdentifier: `sdk-${Date.now()}`,
    });
    assert.equal(app.appName, "SDK app");
    const list = await mgmt().listApplications({ limit: 50 });
    assert.ok(list.data.list.some((a) => a.appId === app.appId));
    await mgmt().updateApplication({ appId: app.appId, redirectUris: ["https://app.example/cb"] });
    assert.deepEqual((await mgmt().getApplication({ appId: app.appId })).data.redirectUris, [
      "https://app.example/cb",
    ]);
    const { data: secret } = await mgmt().getApplicationSecret({ appId: app.appId });
    const { data: refreshed } = await mgmt().refreshApplicationSecret({ appId: app.appId });
    assert.notEqual(refreshed.secret, secret.secret);
    await mgmt().deleteApplication({ appId: app.appId });
    await assert.rejects(mgmt().getApplication({ appId: app.appId }), GatehouseError);
  });

  it("security settings, global MFA settings and custom fields round-trip", async () => {
    const settings = await mgmt().updateSecuritySettings({ allowedOrigins: ["https://spa.example"] });
    assert.deepEqual(settings.data.allowedOrigins, ["https://spa.example"]);
    assert.deepEqual((await mgmt().getSecuritySettings()).data.allowedOrigins, ["https://spa.example"]);
    await mgmt().updateGlobalMfaSettings({ enabledFactors: ["OTP", "SMS"] });
    assert.deepEqual((await mgmt().getGlobalMfaSettings()).data.enabledFactors, ["OTP", "SMS"]);
    await mgmt().setCustomFields({
      list: [{ targetType: "USER", key: "school", dataType: "STRING", label: "School" }],
    });
    const fields = await mgmt().getCustomFields({ targetType: "USER" });
    assert.ok(fields.data.some((f) => f.key === "school"));
  });
});
