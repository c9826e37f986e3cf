import assert from "node:assert/strict";
import { constants, publicEncrypt } from "node:crypto";
import { it } from "node:test";
import bcrypt from "bcryptjs";
import { FakeClock } from "../../../src/lib/clock.js";
import { createApp, signInByPassword } from "../../helpers/auth.js";
import { describeEachDialect, type Harness } from "../../helpers/harness.js";
import { mgmt } from "../../helpers/management.js";

const create = (h: Harness, body: Record<string, unknown>) =>
  mgmt(h, "POST", "/api/v3/create-user", { body });
const update = (h: Harness, body: Record<string, unknown>) =>
  mgmt(h, "POST", "/api/v3/update-user", { body });

/** Whether an access token is still accepted by a user-authenticated endpoint. */
async function tokenWorks(h: Harness, token: string): Promise<boolean> {
  const r = await h.api("GET", "/api/v3/get-my-logged-in-apps", undefined, { authorization: token });
  if (r.statusCode !== 200 && r.statusCode !== 401) throw new Error(JSON.stringify(r));
  return r.statusCode === 200;
}

async function signIn(h: Harness, email: string, password: string) {
  return signInByPassword(h, { email, password });
}

function rsaEncrypt(h: Harness, text: string): string {
  return publicEncrypt(
    { key: h.ctx.keys.rsaPublicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING },
    Buffer.from(text),
  ).toString("base64");
}

describeEachDialect(
  "management: passwords, sessions and sign-in history",
  (h) => {
    it("create-user with a plain password: stored as argon2id, and the user signs in with it", async () => {
      const r = await create(h(), { email: "pw@example.com", password: "initial pass 1" });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.ok(r.data.passwordLastSetAt);
      assert.ok(r.data.passwordSecurityLevel >= 1);
      const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, r.data.userId);
      assert.match(row!.password_hash!, /^\$argon2id\$/);
      assert.equal((await signIn(h(), "pw@example.com", "initial pass 1")).statusCode, 200);
    });

    it("create-user with passwordEncryptType rsa decrypts the password with the server key", async () => {
      const r = await create(h(), {
        email: "rsa@example.com",
        password: rsaEncrypt(h(), "rsa secret 9"),
        options: { passwordEncryptType: "rsa" },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal((await signIn(h(), "rsa@example.com", "rsa secret 9")).statusCode, 200);
      const bad = await create(h(), {
        email: "rsa2@example.com",
        password: "not base64 !",
        options: { passwordEncryptType: "rsa" },
      });
      assert.equal(bad.statusCode, 400);
    });

    it("a bcrypt hash imported with keepPassword signs in with the original password", async () => {
      const hash = bcrypt.hashSync("from the old system", 8);
      const r = await create(h(), {
        email: "legacy@example.com",
        password: hash,
        options: { keepPassword: true },
      });
      assert.equal(r.statusCode, 200);
      assert.equal((await signIn(h(), "legacy@example.com", "wrong")).statusCode, 403);
      assert.equal((await signIn(h(), "legacy@example.com", "from the old system")).statusCode, 200);
    });

    it("update-user sets a new password (rsa too): the old one stops working and open sessions end", async () => {
      await create(h(), { email: "change@example.com", password: "old password 1" });
      const session = await signIn(h(), "change@example.com", "old password 1");
      assert.equal(await tokenWorks(h(), session.data.access_token), true);
      const r = await update(h(), {
        userId: "change@example.com",
        password: rsaEncrypt(h(), "new password 2"),
        options: { userIdType: "email", passwordEncryptType: "rsa" },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(await tokenWorks(h(), session.data.access_token), false);
      assert.equal((await signIn(h(), "change@example.com", "old password 1")).statusCode, 403);
      assert.equal((await signIn(h(), "change@example.com", "new password 2")).statusCode, 200);
    });

    it("suspending a user ends their sessions and refuses sign-in", async () => {
      const u = (await create(h(), { email: "suspend@example.com", password: "some pass 3" })).data;
      const session = await signIn(h(), "suspend@example.com", "some pass 3");
      await update(h(), { userId: u.userId, status: "Suspended" });
      assert.equal(await tokenWorks(h(), session.data.access_token), false);
      assert.notEqual((await signIn(h(), "suspend@example.com", "some pass 3")).statusCode, 200);
    });

    it("deleting a user ends their sessions at once and removes their sign-in history", async () => {
      const u = (await create(h(), { email: "gone@example.com", password: "some pass 4" })).data;
      const session = await signIn(h(), "gone@example.com", "some pass 4");
      const history = () =>
        h().ctx.repos.loginHistory.listLoginHistory({ poolId: h().boot.userPoolId, userId: u.userId }, 1, 10);
      assert.equal((await history()).totalCount, 1);
      await mgmt(h(), "POST", "/api/v3/delete-users-batch", { body: { userIds: [u.userId] } });
      assert.equal(await tokenWorks(h(), session.data.access_token), false);
      assert.equal((await history()).totalCount, 0);
    });

    it("get-user-login-history lists successful sign-ins, newest first, filtered and paged", async () => {
      const u = (await create(h(), { email: "hist@example.com", password: "history pass 5" })).data;
      await signIn(h(), "hist@example.com", "wrong password");
      for (let i = 0; i < 3; i++) {
        assert.equal((await signIn(h(), "hist@example.com", "history pass 5")).statusCode, 200);
        (h().ctx.clock as FakeClock).advance(1000);
      }
      const r = await mgmt(h(), "GET", "/api/v3/get-user-login-history", {
        params: { userId: u.userId, userIdType: "user_id", page: 1, limit: 2 },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.totalCount, 3);
      assert.equal(r.data.list.length, 2);
      const item = r.data.list[0];
      assert.equal(item.appId, h().boot.appId);
      assert.equal(item.appName, "Default application");
      assert.equal(typeof item.clientIp, "string");
      assert.ok(Date.parse(item.time) > Date.parse(r.data.list[1].time));
      const otherApp = await mgmt(h(), "GET", "/api/v3/get-user-login-history", {
        params: { userId: "hist@example.com", userIdType: "email", appId: "another-app" },
      });
      assert.equal(otherApp.data.totalCount, 0);
      const later = await mgmt(h(), "GET", "/api/v3/get-user-login-history", {
        params: { userId: u.userId, start: h().ctx.clock.now() - 1500 },
      });
      assert.equal(later.data.totalCount, 1);
      const nobody = await mgmt(h(), "GET", "/api/v3/get-user-login-history", {
        params: { userId: "nobody" },
      });
      assert.equal(nobody.apiCode, 2004);
    });

    it("get-user-loggedin-apps lists the applications the user signed in to; kick-users ends those sessions", async () => {
      const u = (await create(h(), { email: "kick@example.com", password: "kick pass 6" })).data;
      const app2 = await createApp(h(), "client_secret_post");
      const s1 = await signIn(h(), "kick@example.com", "kick pass 6");
      const s2 = await h().api(
        "POST",
        "/api/v3/signin",
        {
          connection: "PASSWORD",
          passwordPayload: { email: "kick@example.com", password: "kick pass 6" },
          client_id: app2.appId,
          client_secret: app2.appSecret,
        },
        { "x-authing-app-id": app2.appId },
      );
      assert.equal(s2.statusCode, 200, JSON.stringify(s2));
      const apps = await mgmt(h(), "GET", "/api/v3/get-user-loggedin-apps", { params: { userId: u.userId } });
      assert.deepEqual(apps.data.map((a: any) => a.appId).sort(), [h().boot.appId, app2.appId].sort());
      assert.deepEqual(Object.keys(apps.data[0]).sort(), ["appId", "appLoginUrl", "appLogo", "appName"]);
      const k = await mgmt(h(), "POST", "/api/v3/kick-users", {
        body: { userId: u.userId, appIds: [h().boot.appId] },
      });
      assert.deepEqual(k.data, { success: true });
      assert.equal(await tokenWorks(h(), s1.data.access_token), false, "kicked from the default app");
      const viaApp2 = await h().api("GET", "/api/v3/get-my-logged-in-apps", undefined, {
        authorization: s2.data.access_token,
        "x-authing-app-id": app2.appId,
      });
      assert.equal(viaApp2.statusCode, 200, "still signed in to the other app");
      const empty = await mgmt(h(), "POST", "/api/v3/kick-users", { body: { userId: u.userId, appIds: [] } });
      assert.equal(empty.statusCode, 400);
    });

    it("unlock-user lifts the lockout after too many wrong passwords", async () => {
      const u = (await create(h(), { email: "locked@example.com", password: "right pass 7" })).data;
      for (let i = 0; i < 6; i++) await signIn(h(), "locked@example.com", `wrong ${i}`);
      const locked = await signIn(h(), "locked@example.com", "right pass 7");
      assert.equal(locked.apiCode, 2057);
      const r = await mgmt(h(), "POST", "/api/v3/unlock-user", { body: { userId: u.userId } });
      assert.deepEqual(r.data, { success: true });
      assert.equal((await signIn(h(), "locked@example.com", "right pass 7")).statusCode, 200);
    });
  },
  { clock: new FakeClock(Date.UTC(2026, 5, 1)) },
);
