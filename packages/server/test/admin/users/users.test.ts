import assert from "node:assert/strict";
import { before, it } from "node:test";
import bcrypt from "bcryptjs";
import { assertApiError } from "../../helpers/errors.js";
import { describeEachDialect, type Harness } from "../../helpers/harness.js";
import { mgmt } from "../../helpers/management.js";

const create = (h: Harness, body: Record<string, unknown>) =>
  mgmt(h, "POST", "/api/v3/create-user", { body });
const getUser = (h: Harness, params: Record<string, unknown>) =>
  mgmt(h, "GET", "/api/v3/get-user", { params });

describeEachDialect("management users", (h) => {
  before(async () => {
    const r = await mgmt(h(), "POST", "/api/v3/set-custom-fields", {
      body: {
        list: [
          { targetType: "USER", key: "department", dataType: "STRING", label: "Department" },
          { targetType: "USER", key: "level", dataType: "NUMBER" },
          { targetType: "USER", key: "tier", dataType: "ENUM", options: [{ value: "gold", label: "Gold" }] },
        ],
      },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
  });

  it("create-user returns a UserDto: admin-created, active, unverified, ISO dates", async () => {
    const r = await create(h(), { username: "plain" });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    const u = r.data;
    assert.match(u.userId, /^[0-9a-f]{24}$/);
    assert.equal(u.username, "plain");
    assert.equal(u.status, "Activated");
    assert.equal(u.workStatus, "Active");
    assert.equal(u.gender, "U");
    assert.equal(u.userSourceType, "adminCreated");
    assert.equal(u.emailVerified, false);
    assert.equal(u.phoneVerified, false);
    assert.equal(new Date(u.createdAt).toISOString(), u.createdAt);
  });

  it("create-user stores the phone in E.164 and answers phone and phoneCountryCode apart", async () => {
    const r = await create(h(), { phone: "13800138001", phoneCountryCode: "+86", phoneVerified: true });
    assert.equal(r.data.phone, "13800138001");
    assert.equal(r.data.phoneCountryCode, "+86");
    assert.equal(r.data.phoneVerified, true);
    const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, r.data.userId);
    assert.equal(row?.phone, "+8613800138001");
  });

  it("create-user keeps profile fields, defined customData and identities", async () => {
    const r = await create(h(), {
      email: "Profile@Example.com",
      name: "Pro File",
      nickname: "pf",
      gender: "F",
      company: "ACME",
      givenName: "Pro",
      externalId: "ext-profile",
      customData: { department: "R&D", level: 3 },
      identities: [
        {
          extIdpId: "idp1",
          provider: "github",
          type: "openid",
          userIdInIdp: "gh-42",
          userInfoInIdp: { login: "x" },
          originConnIds: [],
        },
      ],
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data.email, "profile@example.com", "emails are stored lower-cased");
    assert.equal(r.data.gender, "F");
    assert.equal(r.data.givenName, "Pro");
    assert.equal(r.data.externalId, "ext-profile");
    assert.deepEqual(r.data.customData, { department: "R&D", level: 3 });
    assert.equal(r.data.identities[0].userIdInIdp, "gh-42");
  });

  it("create-user needs one of email, phone or username (400)", async () => {
    const r = await create(h(), { name: "nobody" });
    assert.equal(r.statusCode, 400);
  });

  it("create-user refuses a malformed email or phone with 400", async () => {
    assert.equal((await create(h(), { email: "not-an-email" })).statusCode, 400);
    assert.equal((await create(h(), { phone: "12" })).statusCode, 400);
  });

  it("create-user enforces pool uniqueness: email (case-insensitive) 2200, username 2034, phone 2035, externalId 409", async () => {
    await create(h(), {
      email: "uniq@example.com",
      username: "uniq",
      phone: "13900139000",
      externalId: "ext-uniq",
    });
    const email = await create(h(), { email: "UNIQ@example.com" });
    assert.equal(email.statusCode, 409);
    assert.equal(email.apiCode, 2200);
    const username = await create(h(), { username: "Uniq" });
    assert.equal(username.apiCode, 2034);
    const phone = await create(h(), { phone: "+86 139 0013 9000" });
    assert.equal(phone.apiCode, 2035);
    const ext = await create(h(), { username: "other-ext", externalId: "ext-uniq" });
    assert.equal(ext.statusCode, 409);
  });

  it("create-user with options.keepPassword stores a bcrypt or argon2 hash as-is", async () => {
    const hash = bcrypt.hashSync("imported-pass", 4);
    const r = await create(h(), {
      username: "imported-bcrypt",
      password: hash,
      options: { keepPassword: true },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, r.data.userId);
    assert.equal(row?.password_hash, hash);
    assert.ok(r.data.passwordLastSetAt);
    const argon =
      "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9sBoLs6eOpNlmA8KRhcYUQ6xZMuyJcJ+4cNr1Hq1TiA";
    const a = await create(h(), {
      username: "imported-argon",
      password: argon,
      options: { keepPassword: true },
    });
    assert.equal(a.statusCode, 200, JSON.stringify(a));
  });

  it("create-user with keepPassword refuses anything that is not a bcrypt or argon2 hash", async () => {
    const r = await create(h(), {
      username: "bad-hash",
      password: "md5:abc",
      options: { keepPassword: true },
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.message, /bcrypt/);
  });

  it("customData accepts only defined custom fields, with values of their type", async () => {
    const unknown = await create(h(), { username: "cd1", customData: { favourite: "x" } });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.message, /customData\.favourite/);
    const wrongType = await create(h(), { username: "cd2", customData: { level: "high" } });
    assert.equal(wrongType.statusCode, 400);
    const badEnum = await create(h(), { username: "cd3", customData: { tier: "platinum" } });
    assert.equal(badEnum.statusCode, 400);
    const good = await create(h(), { username: "cd4", customData: { tier: "gold" } });
    assert.equal(good.statusCode, 200);
  });

  it("create-users-batch creates every user, in order", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/create-users-batch", {
      body: { list: [{ username: "batch-1" }, { email: "batch-2@example.com" }, { phone: "13700137000" }] },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.deepEqual(
      r.data.map((u: any) => u.username ?? u.email ?? u.phone),
      ["batch-1", "batch-2@example.com", "13700137000"],
    );
  });

  it("create-users-batch is all or nothing and names the failing item", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/create-users-batch", {
      body: { list: [{ username: "batch-ok" }, { username: "batch-1" }] },
    });
    assert.equal(r.statusCode, 409);
    assert.match(r.message, /^list\[1\]/);
    const dup = await mgmt(h(), "POST", "/api/v3/create-users-batch", {
      body: { list: [{ username: "twice" }, { username: "TWICE" }] },
    });
    assert.equal(dup.statusCode, 409);
    assert.match(dup.message, /^list\[1\]/);
    for (const u of ["batch-ok", "twice"]) {
      assert.equal((await getUser(h(), { userId: u, userIdType: "username" })).statusCode, 404);
    }
  });

  it("get-user finds a user by user_id, email, username, phone, external_id and identity", async () => {
    const u = (await getUser(h(), { userId: "Profile@Example.com", userIdType: "email" })).data;
    for (const [userId, userIdType] of [
      [u.userId, "user_id"],
      ["profile@example.com", "email"],
      ["ext-profile", "external_id"],
      ["idp1:gh-42", "identity"],
    ]) {
      const r = await getUser(h(), { userId, userIdType });
      assert.equal(r.data?.userId, u.userId, `${userIdType}: ${JSON.stringify(r)}`);
    }
    const byPhone = await getUser(h(), { userId: "13800138001", userIdType: "phone" });
    assert.equal(byPhone.data.phone, "13800138001");
    const byUsername = await getUser(h(), { userId: "PLAIN", userIdType: "username" });
    assert.equal(byUsername.data.username, "plain");
  });

  it("get-user answers 404/2004 for an unknown user and 400 for an unsupported userIdType", async () => {
    const r = await getUser(h(), { userId: "000000000000000000000000" });
    assert.equal(r.statusCode, 404);
    assert.equal(r.apiCode, 2004);
    const t = await getUser(h(), { userId: "x", userIdType: "sync_relation" });
    assert.equal(t.statusCode, 400);
  });

  it("get-user with flags: customData, identities, departmentIds, postIdList and flatCustomData", async () => {
    const plain = await getUser(h(), { userId: "ext-profile", userIdType: "external_id" });
    assert.equal(plain.data.customData, undefined);
    assert.equal(plain.data.identities, undefined);
    const full = await getUser(h(), {
      userId: "ext-profile",
      userIdType: "external_id",
      withCustomData: true,
      withIdentities: true,
      withDepartmentIds: true,
      withPost: true,
      flatCustomData: true,
    });
    assert.deepEqual(full.data.customData, { department: "R&D", level: 3 });
    assert.equal(full.data.identities.length, 1);
    assert.deepEqual(full.data.departmentIds, []);
    assert.deepEqual(full.data.postIdList, []);
    assert.equal(full.data.department, "R&D");
  });

  it("get-user-batch returns the users found, in the order asked", async () => {
    const a = (await getUser(h(), { userId: "batch-1", userIdType: "username" })).data.userId;
    const b = (await getUser(h(), { userId: "plain", userIdType: "username" })).data.userId;
    const r = await mgmt(h(), "GET", "/api/v3/get-user-batch", { params: { userIds: [b, "nope", a] } });
    assert.deepEqual(
      r.data.map((u: any) => u.userId),
      [b, a],
    );
    const byName = await mgmt(h(), "GET", "/api/v3/get-user-batch", {
      params: { userIds: ["batch-1", "plain"], userIdType: "username" },
    });
    assert.equal(byName.data.length, 2);
  });

  it("is-user-exists checks username, email (any case), phone (any spelling) and externalId", async () => {
    const exists = async (body: Record<string, unknown>) =>
      (await mgmt(h(), "POST", "/api/v3/is-user-exists", { body })).data.exists;
    assert.equal(await exists({ username: "uniq" }), true);
    assert.equal(await exists({ email: "UNIQ@EXAMPLE.COM" }), true);
    assert.equal(await exists({ phone: "13900139000" }), true);
    assert.equal(await exists({ externalId: "ext-uniq" }), true);
    assert.equal(await exists({ username: "no-such-user" }), false);
    assert.equal(await exists({ phone: "not a phone" }), false);
    const none = await mgmt(h(), "POST", "/api/v3/is-user-exists", { body: {} });
    assertApiError(none, "USER_EXISTS_QUERY_EMPTY");
  });

  it("get-user-identities lists a user's identities without IdP tokens", async () => {
    const r = await mgmt(h(), "GET", "/api/v3/get-user-identities", {
      params: { userId: "ext-profile", userIdType: "external_id" },
    });
    assert.equal(r.data.length, 1);
    assert.equal(r.data[0].extIdpId, "idp1");
    assert.equal(r.data[0].provider, "github");
    assert.equal(r.data[0].accessToken, undefined);
  });

  it("update-user changes profile fields and customData (merged), and answers the new UserDto", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: {
        userId: "ext-profile",
        options: { userIdType: "external_id" },
        nickname: "new-nick",
        city: "Paris",
        customData: { level: 4 },
      },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data.nickname, "new-nick");
    assert.equal(r.data.city, "Paris");
    assert.deepEqual(r.data.customData, { department: "R&D", level: 4 });
  });

  it("update-user keeps email, phone and username unique and resets verification on change", async () => {
    const u = (await create(h(), { email: "mover@example.com", emailVerified: true })).data;
    const taken = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: u.userId, email: "uniq@example.com" },
    });
    assert.equal(taken.apiCode, 2200);
    const phoneTaken = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: u.userId, phone: "13900139000" },
    });
    assert.equal(phoneTaken.apiCode, 2035);
    const nameTaken = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: u.userId, username: "UNIQ" },
    });
    assert.equal(nameTaken.apiCode, 2034);
    const moved = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: u.userId, email: "moved@example.com" },
    });
    assert.equal(moved.data.email, "moved@example.com");
    assert.equal(moved.data.emailVerified, false);
    const same = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: u.userId, email: "MOVED@example.com", emailVerified: true },
    });
    assert.equal(same.statusCode, 200, "setting the user's own email again is no conflict");
    assert.equal(same.data.emailVerified, true);
  });

  it("update-user: status change records statusChangedAt; resetPasswordOnNextLogin is set", async () => {
    const u = (await create(h(), { username: "suspend-me" })).data;
    const r = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: u.userId, status: "Suspended", options: { resetPasswordOnNextLogin: true } },
    });
    assert.equal(r.data.status, "Suspended");
    assert.ok(r.data.statusChangedAt);
    assert.equal(r.data.resetPasswordOnNextLogin, true);
  });

  it("update-user may clear an identifier with null, but never the last one", async () => {
    const u = (await create(h(), { username: "two-ids", email: "two-ids@example.com" })).data;
    const cleared = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: u.userId, username: null },
    });
    assert.equal(cleared.statusCode, 200, JSON.stringify(cleared));
    assert.equal(cleared.data.username, null);
    const last = await mgmt(h(), "POST", "/api/v3/update-user", { body: { userId: u.userId, email: null } });
    assert.equal(last.statusCode, 400);
    assert.equal((await getUser(h(), { userId: u.userId })).data.email, "two-ids@example.com");
  });

  it("update-user of an unknown user answers 404/2004", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/update-user", { body: { userId: "missing", name: "x" } });
    assert.equal(r.apiCode, 2004);
  });

  it("delete-users-batch deletes users (and their identities) by any userIdType", async () => {
    const a = (await create(h(), { username: "del-a" })).data;
    await create(h(), {
      username: "del-b",
      identities: [
        { extIdpId: "idp9", provider: "github", type: "openid", userIdInIdp: "del-b", originConnIds: [] },
      ],
    });
    const r = await mgmt(h(), "POST", "/api/v3/delete-users-batch", {
      body: { userIds: [a.userId, "unknown"] },
    });
    assert.deepEqual(r.data, { success: true });
    const byName = await mgmt(h(), "POST", "/api/v3/delete-users-batch", {
      body: { userIds: ["del-b"], options: { userIdType: "username" } },
    });
    assert.equal(byName.statusCode, 200);
    assert.equal((await getUser(h(), { userId: a.userId })).statusCode, 404);
    assert.equal((await getUser(h(), { userId: "idp9:del-b", userIdType: "identity" })).statusCode, 404);
  });
});
