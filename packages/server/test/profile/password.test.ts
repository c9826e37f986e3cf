import assert from "node:assert/strict";
import { constants, publicEncrypt } from "node:crypto";
import { beforeEach, it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import {
  as,
  e164,
  register,
  resetPoolSettings,
  sendSms,
  setPoolSettings,
  signIn,
} from "../helpers/profile.js";

const clock = new FakeClock(Date.now());

async function rsa(h: Harness, plain: string): Promise<string> {
  const system = (await h.inject({ method: "GET", url: "/api/v3/system" })).json();
  return publicEncrypt(
    { key: system.rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
    Buffer.from(plain),
  ).toString("base64");
}

const signInFails = async (h: Harness, account: string, password: string) => {
  const r = await h.api("POST", "/api/v3/signin", {
    connection: "PASSWORD",
    passwordPayload: { account, password },
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });
  return r.statusCode === 403 && r.apiCode === 2333;
};

describeEachDialect(
  "profile: update-password",
  (h) => {
    beforeEach(() => resetPoolSettings(h()));
    const change = (token: string, body: Record<string, unknown>) =>
      as(h(), token)("POST", "/api/v3/update-password", body);

    it("update-password: oldPassword is required when the user has a password → 400/2201", async () => {
      const u = await register(h(), { email: true });
      const r = await change(u.token, { newPassword: "Another-pass-456" });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2201]);
    });

    it("update-password: a wrong oldPassword → 403/2203 and nothing changes", async () => {
      const u = await register(h(), { email: true });
      const r = await change(u.token, { oldPassword: "not-it", newPassword: "Another-pass-456" });
      assert.deepEqual([r.statusCode, r.apiCode], [403, 2203]);
      assert.ok(await signIn(h(), u.email!, u.password!));
    });

    it("update-password: wrong old passwords count towards the sign-in lockout (403/2057)", async () => {
      const u = await register(h(), { email: true });
      for (let i = 0; i < 5; i++) {
        const r = await change(u.token, { oldPassword: `guess-${i}`, newPassword: "Another-pass-456" });
        assert.equal(r.apiCode, 2203);
      }
      const locked = await change(u.token, { oldPassword: u.password, newPassword: "Another-pass-456" });
      assert.deepEqual([locked.statusCode, locked.apiCode], [403, 2057]);
      const signin = await h().api("POST", "/api/v3/signin", {
        connection: "PASSWORD",
        passwordPayload: { account: u.email, password: u.password },
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
      assert.deepEqual([signin.statusCode, signin.apiCode], [403, 2057]);
    });

    it("update-password: with the right oldPassword the new one signs in and the old one no longer does", async () => {
      const u = await register(h(), { email: true });
      const r = await change(u.token, { oldPassword: u.password, newPassword: "Another-pass-456" });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.ok(await signIn(h(), u.email!, "Another-pass-456"));
      assert.ok(await signInFails(h(), u.email!, u.password!));
    });

    it("update-password: a user without a password (phone code sign-up) sets one without oldPassword", async () => {
      const u = await register(h(), { phone: true, password: null });
      const r = await change(u.token, { newPassword: "First-pass-789" });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.ok(await signIn(h(), u.phone!, "First-pass-789"));
    });

    it("update-password: the pool's password policy applies → 400/2061, nothing changes", async () => {
      await setPoolSettings(h(), { passwordStrength: 3 });
      const u = await register(h(), { email: true, password: "Secret-pass-123!" });
      const r = await change(u.token, { oldPassword: u.password, newPassword: "abcdefgh" });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2061]);
      assert.ok(await signIn(h(), u.email!, u.password!));
    });

    it("update-password: passwordEncryptType rsa covers both oldPassword and newPassword", async () => {
      const u = await register(h(), { email: true });
      const r = await change(u.token, {
        oldPassword: await rsa(h(), u.password!),
        newPassword: await rsa(h(), "Rsa-pass-2468"),
        passwordEncryptType: "rsa",
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.ok(await signIn(h(), u.email!, "Rsa-pass-2468"));
    });

    it("update-password: every other session of the user ends; the current one stays", async () => {
      const u = await register(h(), { email: true });
      const other = await signIn(h(), u.email!, u.password!);
      assert.equal((await as(h(), other)("GET", "/api/v3/get-profile")).statusCode, 200);
      assert.equal(
        (await change(u.token, { oldPassword: u.password, newPassword: "Another-pass-456" })).statusCode,
        200,
      );
      const dead = await as(h(), other)("GET", "/api/v3/get-profile");
      assert.equal(dead.statusCode, 401);
      assert.equal((await as(h(), u.token)("GET", "/api/v3/get-profile")).statusCode, 200);
    });

    it("update-password: endSessionsOnPasswordChange off → other sessions live on", async () => {
      await setPoolSettings(h(), { endSessionsOnPasswordChange: false });
      const u = await register(h(), { email: true });
      const other = await signIn(h(), u.email!, u.password!);
      assert.equal(
        (await change(u.token, { oldPassword: u.password, newPassword: "Another-pass-456" })).statusCode,
        200,
      );
      assert.equal((await as(h(), other)("GET", "/api/v3/get-profile")).statusCode, 200);
    });

    it("update-password: a notice goes to the user's email and phone; notifyOnPasswordChange off → none", async () => {
      const u = await register(h(), { phone: true, email: true });
      assert.equal(
        (await change(u.token, { oldPassword: u.password, newPassword: "Another-pass-456" })).statusCode,
        200,
      );
      for (const to of [u.email!, e164(u.phone!)]) {
        const n = h().ctx.outbox.lastFor(to, { purpose: "password_changed" });
        assert.ok(n, `notice to ${to}`);
        assert.equal(n.code, undefined);
      }
      await setPoolSettings(h(), { notifyOnPasswordChange: false });
      const v = await register(h(), { email: true });
      assert.equal(
        (await change(v.token, { oldPassword: v.password, newPassword: "Another-pass-456" })).statusCode,
        200,
      );
      assert.equal(h().ctx.outbox.lastFor(v.email!, { purpose: "password_changed" }), undefined);
    });

    it("update-password: a passwordResetToken stands in for oldPassword, once, and only for its own user", async () => {
      const u = await register(h(), { phone: true });
      const stranger = await register(h(), { phone: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD");
      const v = await h().api("POST", "/api/v3/verify-reset-password-request", {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { phoneNumber: u.phone, passCode },
      });
      const token = v.data.passwordResetToken;
      const foreign = await change(stranger.token, {
        newPassword: "Stolen-pass-000",
        passwordResetToken: token,
      });
      assert.deepEqual([foreign.statusCode, foreign.apiCode], [400, 2207]);
      const r = await change(u.token, { newPassword: "Reset-pass-135", passwordResetToken: token });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.ok(await signIn(h(), u.phone!, "Reset-pass-135"));
      const again = await change(u.token, { newPassword: "Reset-pass-246", passwordResetToken: token });
      assert.deepEqual([again.statusCode, again.apiCode], [400, 2207]);
    });

    it("update-password: a bad passwordResetToken → 400/2207 before the password policy is applied", async () => {
      await setPoolSettings(h(), { passwordStrength: 3 });
      const u = await register(h(), { email: true, password: "Secret-pass-123!" });
      const r = await change(u.token, { newPassword: "abcdefgh", passwordResetToken: "A".repeat(43) });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2207]);
    });

    it("update-password: the strength level is computed when the password is set (get-security-info)", async () => {
      const u = await register(h(), { email: true, password: "abcdef" });
      const level = async () =>
        (await as(h(), u.token)("GET", "/api/v3/get-security-info")).data.passwordSecurityLevel;
      assert.equal(await level(), 1);
      await change(u.token, { oldPassword: "abcdef", newPassword: "abcdefgh12" });
      assert.equal(await level(), 2);
      await change(u.token, { oldPassword: "abcdefgh12", newPassword: "Abcdefgh1234" });
      assert.equal(await level(), 3);
    });
  },
  { clock, config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
