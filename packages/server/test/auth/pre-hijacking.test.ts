import assert from "node:assert/strict";
import { it } from "node:test";
import { form, signInByCode, signInByPassword, signUpByEmail } from "../helpers/auth.js";
import { freshEmail, freshPhone, sendEmailCode, sendSmsCode } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

/**
 * Account pre-hijacking (docs/behaviour-and-errors.md §4.6): a password account created for an
 * address nobody proved, then claimed by the address's owner with a code.
 */
const OFFLINE = { scope: "openid profile offline_access" };

const profile = (h: Harness, token: string) =>
  h.api("GET", "/api/v3/get-profile", undefined, { authorization: token });

const refresh = (h: Harness, refreshToken: string) =>
  form(h, "/oidc/token", {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });

async function auditActions(h: Harness, userId: string): Promise<string[]> {
  const events = await h.ctx.repos.audit.listAuditEventsByUser(h.boot.userPoolId, userId);
  return events.map((e) => e.action);
}

async function userRow(h: Harness, userId: string) {
  const row = await h.ctx.repos.users.findUserById(h.boot.userPoolId, userId);
  if (!row) throw new Error("user gone");
  return row;
}

describeEachDialect("account pre-hijacking", (h) => {
  it("email: the owner's first code sign-in ends the squatter's password, refresh and access tokens", async () => {
    const email = freshEmail("victim");
    const up = await signUpByEmail(h(), email, "squatter-pw-1");
    assert.equal(up.statusCode, 200);
    assert.equal(up.data.emailVerified, false);
    const squatter = await signInByPassword(h(), { email, password: "squatter-pw-1" }, OFFLINE);
    assert.equal(squatter.statusCode, 200);
    assert.equal((await profile(h(), squatter.data.access_token)).statusCode, 200);

    const code = await sendEmailCode(h(), email, "CHANNEL_LOGIN");
    const owner = await signInByCode(h(), { email, passCode: code });
    assert.equal(owner.statusCode, 200);

    const again = await signInByPassword(h(), { email, password: "squatter-pw-1" });
    assert.deepEqual([again.statusCode, again.apiCode], [403, 2333], "the squatter's password is gone");
    const r = await refresh(h(), squatter.data.refresh_token);
    assert.deepEqual([r.status, r.body.error], [400, "invalid_grant"], "the squatter's refresh token");
    const old = await profile(h(), squatter.data.access_token);
    assert.deepEqual([old.statusCode, old.apiCode], [401, 2207], "the squatter's access token");

    const mine = await profile(h(), owner.data.access_token);
    assert.equal(mine.statusCode, 200, "the owner's own new session works");
    assert.equal(mine.data.emailVerified, true);
    const row = await userRow(h(), up.data.userId);
    assert.equal(row.password_hash, null);
    assert.equal(row.password_last_set_at, null);
    assert.ok((await auditActions(h(), up.data.userId)).includes("user.email.reclaimed"));
    const security = await h().api("GET", "/api/v3/get-security-info", undefined, {
      authorization: owner.data.access_token,
    });
    assert.equal(security.data.passwordSet, false, "the owner sets their own password next");
  });

  it("phone: the owner's first SMS sign-in ends the squatter's password, refresh and access tokens", async () => {
    const phone = freshPhone();
    const squatter = await signInByPassword(
      h(),
      { phone, password: "squatter-pw-2" },
      { ...OFFLINE, autoRegister: true },
    );
    assert.equal(squatter.statusCode, 200);
    const userId = (await profile(h(), squatter.data.access_token)).data.userId as string;
    assert.equal((await userRow(h(), userId)).phone_verified, 0);

    const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const owner = await signInByCode(h(), { phone, passCode: code });
    assert.equal(owner.statusCode, 200);

    const again = await signInByPassword(h(), { phone, password: "squatter-pw-2" });
    assert.deepEqual([again.statusCode, again.apiCode], [403, 2333]);
    const r = await refresh(h(), squatter.data.refresh_token);
    assert.deepEqual([r.status, r.body.error], [400, "invalid_grant"]);
    const old = await profile(h(), squatter.data.access_token);
    assert.deepEqual([old.statusCode, old.apiCode], [401, 2207]);
    assert.equal((await profile(h(), owner.data.access_token)).data.phoneVerified, true);
    assert.ok((await auditActions(h(), userId)).includes("user.phone.reclaimed"));
  });

  it("a phone the squatter bound from their own session is unbound by the owner's reclaim", async () => {
    const email = freshEmail("bound");
    const up = await signUpByEmail(h(), email, "squatter-pw-4");
    const squatter = await signInByPassword(h(), { email, password: "squatter-pw-4" });
    const phone = freshPhone();
    const bind = await sendSmsCode(h(), phone, "CHANNEL_BIND_PHONE");
    const bound = await h().api(
      "POST",
      "/api/v3/bind-phone",
      { phoneNumber: phone, passCode: bind },
      { authorization: squatter.data.access_token },
    );
    assert.equal(bound.statusCode, 200);

    const code = await sendEmailCode(h(), email, "CHANNEL_LOGIN");
    const owner = await signInByCode(h(), { email, passCode: code });
    assert.equal(owner.statusCode, 200);

    const mine = await profile(h(), owner.data.access_token);
    assert.equal(mine.data.phone, null, "the squatter's phone is gone");
    const sms = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const back = await signInByCode(h(), { phone, passCode: sms });
    assert.deepEqual([back.statusCode, back.apiCode], [403, 2333], "the squatter's way back is closed");
    const actions = await auditActions(h(), up.data.userId);
    assert.ok(actions.includes("user.email.reclaimed") && actions.includes("user.phone.unbound"));
  });

  it("a phone an administrator vouched for stays bound through a reclaim", async () => {
    const email = freshEmail("vouched");
    const up = await signUpByEmail(h(), email, "squatter-pw-5");
    const phone = `+86${freshPhone()}`;
    await h().ctx.repos.users.updateUser(h().boot.userPoolId, up.data.userId, { phone, phone_verified: 1 });
    const code = await sendEmailCode(h(), email, "CHANNEL_LOGIN");
    assert.equal((await signInByCode(h(), { email, passCode: code })).statusCode, 200);
    assert.equal((await userRow(h(), up.data.userId)).phone, phone);
  });

  it("an account whose email was proved at sign-up keeps its password and sessions on a code sign-in", async () => {
    const email = freshEmail("regular");
    const reg = await sendEmailCode(h(), email, "CHANNEL_REGISTER");
    const up = await h().api("POST", "/api/v3/signup", {
      connection: "PASSCODE",
      passCodePayload: { email, passCode: reg },
      options: { passwordForPhonePassCode: "regular-pw-1" },
    });
    assert.equal(up.statusCode, 200);
    const first = await signInByPassword(h(), { email, password: "regular-pw-1" }, OFFLINE);
    assert.equal(first.statusCode, 200);

    const code = await sendEmailCode(h(), email, "CHANNEL_LOGIN");
    assert.equal((await signInByCode(h(), { email, passCode: code })).statusCode, 200);

    assert.equal((await signInByPassword(h(), { email, password: "regular-pw-1" })).statusCode, 200);
    assert.equal((await profile(h(), first.data.access_token)).statusCode, 200);
    assert.equal((await refresh(h(), first.data.refresh_token)).status, 200);
    assert.ok(!(await auditActions(h(), up.data.userId)).includes("user.email.reclaimed"));
  });

  it("a password reset by email code proves the email: a later code sign-in keeps the new password", async () => {
    const email = freshEmail("reset");
    const up = await signUpByEmail(h(), email, "first-pw-1");
    assert.equal(up.statusCode, 200);
    const code = await sendEmailCode(h(), email, "CHANNEL_RESET_PASSWORD");
    const step1 = await h().api("POST", "/api/v3/verify-reset-password-request", {
      verifyMethod: "EMAIL_PASSCODE",
      emailPassCodePayload: { email, passCode: code },
    });
    assert.equal(step1.statusCode, 200);
    const step2 = await h().api("POST", "/api/v3/reset-password", {
      passwordResetToken: step1.data.passwordResetToken,
      password: "chosen-after-proof-1",
    });
    assert.equal(step2.statusCode, 200);
    assert.equal((await userRow(h(), up.data.userId)).email_verified, 1);

    const login = await sendEmailCode(h(), email, "CHANNEL_LOGIN");
    assert.equal((await signInByCode(h(), { email, passCode: login })).statusCode, 200);
    const pw = await signInByPassword(h(), { email, password: "chosen-after-proof-1" });
    assert.equal(pw.statusCode, 200);
  });

  it("binding an email from inside a session keeps the account's password and other sessions", async () => {
    const username = `binder-${freshPhone()}`;
    const up = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { username, password: "binder-pw-1" },
    });
    assert.equal(up.statusCode, 200);
    const other = await signInByPassword(h(), { username, password: "binder-pw-1" });
    const here = await signInByPassword(h(), { username, password: "binder-pw-1" });
    const email = freshEmail("bind");
    const code = await sendEmailCode(h(), email, "CHANNEL_BIND_EMAIL");
    const bound = await h().api(
      "POST",
      "/api/v3/bind-email",
      { email, passCode: code },
      { authorization: here.data.access_token },
    );
    assert.equal(bound.statusCode, 200);
    assert.equal((await profile(h(), other.data.access_token)).statusCode, 200);
    assert.equal((await signInByPassword(h(), { username, password: "binder-pw-1" })).statusCode, 200);
  });

  it("a wrong code changes nothing: the squatter's password and session stay until a right one", async () => {
    const email = freshEmail("wrong");
    const up = await signUpByEmail(h(), email, "squatter-pw-3");
    const squatter = await signInByPassword(h(), { email, password: "squatter-pw-3" });
    const code = await sendEmailCode(h(), email, "CHANNEL_LOGIN");
    const wrong = await signInByCode(h(), { email, passCode: code === "000000" ? "111111" : "000000" });
    assert.equal(wrong.statusCode, 400);
    assert.equal((await profile(h(), squatter.data.access_token)).statusCode, 200);
    assert.notEqual((await userRow(h(), up.data.userId)).password_hash, null);
  });
});

describeEachDialect("sign-in to unverified addresses (loginRequireEmailVerified)", (h) => {
  it("off (the default): password sign-in to an unverified email works", async () => {
    const email = freshEmail("unverified");
    assert.equal((await signUpByEmail(h(), email, "unverified-pw-1")).statusCode, 200);
    assert.equal((await signInByPassword(h(), { email, password: "unverified-pw-1" })).statusCode, 200);
  });

  it("loginRequireEmailVerified: a right password for an unverified email is 403/2042; verified works", async () => {
    const email = freshEmail("require");
    const up = await signUpByEmail(h(), email, "require-pw-1");
    await patchPoolSettings(h(), { loginRequireEmailVerified: true });
    try {
      for (const payload of [{ email }, { account: email }]) {
        const res = await signInByPassword(h(), { ...payload, password: "require-pw-1" });
        assert.deepEqual([res.statusCode, res.apiCode], [403, 2042]);
      }
      const wrong = await signInByPassword(h(), { email, password: "not-the-pw-1" });
      assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 2333], "no oracle without the password");
      const byName = await signInByPassword(h(), { email: freshEmail("nobody"), password: "require-pw-1" });
      assert.equal(byName.apiCode, 2333);

      await h().ctx.repos.users.updateUser(h().boot.userPoolId, up.data.userId, { email_verified: 1 });
      assert.equal((await signInByPassword(h(), { email, password: "require-pw-1" })).statusCode, 200);
    } finally {
      await patchPoolSettings(h(), { loginRequireEmailVerified: false });
    }
  });

  it("loginRequirePhoneVerified: a right password for an unverified phone is 403 PHONE_NOT_VERIFIED", async () => {
    const phone = freshPhone();
    const created = await signInByPassword(h(), { phone, password: "phone-pw-1" }, { autoRegister: true });
    assert.equal(created.statusCode, 200);
    await patchPoolSettings(h(), { loginRequirePhoneVerified: true });
    try {
      const res = await signInByPassword(h(), { phone, password: "phone-pw-1" });
      assert.deepEqual([res.statusCode, res.apiCode], [403, undefined]);
      assert.match(res.message, /phone number is not verified/i);
      // the email rule does not apply to a phone
      await patchPoolSettings(h(), { loginRequirePhoneVerified: false, loginRequireEmailVerified: true });
      assert.equal((await signInByPassword(h(), { phone, password: "phone-pw-1" })).statusCode, 200);
    } finally {
      await patchPoolSettings(h(), { loginRequirePhoneVerified: false, loginRequireEmailVerified: false });
    }
  });
});
