import assert from "node:assert/strict";
import { it } from "node:test";
import { createApp, signInByPassword } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";
import { type Account, register } from "../helpers/profile.js";

/** Token scope and audience on /api/v3 (docs/behaviour-and-errors.md §1.8). */

async function tokenWith(h: Harness, a: Account, scope: string): Promise<string> {
  const res = await signInByPassword(h, { email: a.email, password: a.password }, { scope });
  if (res.statusCode !== 200) throw new Error(`sign-in → ${JSON.stringify(res)}`);
  return res.data.access_token;
}

const call = (
  h: Harness,
  token: string,
  method: "GET" | "POST",
  url: string,
  body?: unknown,
  appId?: string,
) => h.api(method, url, body, { authorization: token, ...(appId ? { "x-authing-app-id": appId } : {}) });

const getProfile = (h: Harness, token: string, appId?: string) =>
  call(h, token, "GET", "/api/v3/get-profile", undefined, appId);

describeEachDialect("token scope and audience", (h) => {
  it("off (the default, GenAuth's): an openid-only token reads and updates the whole profile", async () => {
    const a = await register(h(), { phone: true, email: true });
    const token = await tokenWith(h(), a, "openid");
    const profile = await getProfile(h(), token);
    assert.equal(profile.statusCode, 200);
    assert.equal(profile.data.email, a.email);
    assert.equal(profile.data.phone, a.phone);
    const upd = await call(h(), token, "POST", "/api/v3/update-profile", { nickname: "pool-wide" });
    assert.equal(upd.statusCode, 200);
  });

  it("off: a token issued to one application works through another application of the pool", async () => {
    const other = await createApp(h(), "client_secret_post");
    const a = await register(h(), { email: true });
    const token = await tokenWith(h(), a, "openid profile");
    assert.equal((await getProfile(h(), token, other.appId)).statusCode, 200);
  });

  it("bindUserTokens: a token presented through another application is 401/2207", async () => {
    const other = await createApp(h(), "client_secret_post");
    const a = await register(h(), { email: true });
    const token = await tokenWith(h(), a, "openid profile");
    await patchPoolSettings(h(), { bindUserTokens: true });
    try {
      const res = await getProfile(h(), token, other.appId);
      assert.deepEqual([res.statusCode, res.apiCode], [401, 2207]);
      assert.equal((await getProfile(h(), token, h().boot.appId)).statusCode, 200);
    } finally {
      await patchPoolSettings(h(), { bindUserTokens: false });
    }
  });

  it("bindUserTokens: an openid-only token may not read or change the account (403)", async () => {
    const a = await register(h(), { phone: true, email: true });
    const token = await tokenWith(h(), a, "openid");
    await patchPoolSettings(h(), { bindUserTokens: true });
    try {
      for (const [method, url, body] of [
        ["GET", "/api/v3/get-profile", undefined],
        ["POST", "/api/v3/update-profile", { nickname: "nope" }],
        ["GET", "/api/v3/get-security-info", undefined],
        ["POST", "/api/v3/update-password", { oldPassword: a.password, newPassword: "Another-pass-1" }],
        ["GET", "/api/v3/get-my-login-history", undefined],
      ] as const) {
        const res = await call(h(), token, method, url, body);
        assert.deepEqual([res.statusCode, res.apiCode], [403, undefined], url);
      }
      const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, a.userId);
      assert.notEqual(row?.nickname, "nope");
    } finally {
      await patchPoolSettings(h(), { bindUserTokens: false });
    }
  });

  it("bindUserTokens: get-profile shows the email only with `email`, the phone only with `phone`", async () => {
    const a = await register(h(), { phone: true, email: true });
    const profileOnly = await tokenWith(h(), a, "openid profile");
    const all = await tokenWith(h(), a, "openid profile email phone");
    await patchPoolSettings(h(), { bindUserTokens: true });
    try {
      const some = await getProfile(h(), profileOnly);
      assert.equal(some.statusCode, 200);
      assert.equal(some.data.userId, a.userId);
      assert.equal(some.data.email, null);
      assert.equal(some.data.phone, null);
      assert.equal(some.data.phoneCountryCode, null);
      const full = await getProfile(h(), all);
      assert.equal(full.data.email, a.email);
      assert.equal(full.data.phone, a.phone);
    } finally {
      await patchPoolSettings(h(), { bindUserTokens: false });
    }
  });

  it("bindUserTokens: the email flows need `email`, the phone flows need `phone`", async () => {
    const a = await register(h(), { phone: true, email: true });
    const profileOnly = await tokenWith(h(), a, "openid profile");
    const withEmail = await tokenWith(h(), a, "openid profile email");
    const withPhone = await tokenWith(h(), a, "openid profile phone");
    await patchPoolSettings(h(), { bindUserTokens: true });
    try {
      const emailFlow = (t: string) => call(h(), t, "POST", "/api/v3/unbind-email", { passCode: "123456" });
      const phoneFlow = (t: string) => call(h(), t, "POST", "/api/v3/unbind-phone", { passCode: "123456" });
      assert.deepEqual([(await emailFlow(profileOnly)).statusCode], [403]);
      assert.deepEqual([(await emailFlow(withPhone)).statusCode], [403]);
      assert.deepEqual([(await phoneFlow(profileOnly)).statusCode], [403]);
      assert.deepEqual([(await phoneFlow(withEmail)).statusCode], [403]);
      // With the scope the call gets past the token and fails on the (wrong) code instead.
      assert.equal((await emailFlow(withEmail)).statusCode, 400);
      assert.equal((await phoneFlow(withPhone)).statusCode, 400);
      const change = await call(h(), withEmail, "POST", "/api/v3/verify-update-phone-request", {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { newPhoneNumber: "13900000000", newPhonePassCode: "123456" },
      });
      assert.equal(change.statusCode, 403);
    } finally {
      await patchPoolSettings(h(), { bindUserTokens: false });
    }
  });
});
