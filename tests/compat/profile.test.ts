import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../packages/server/src/lib/clock.js";
import { authClient, codeFor, describeCompat, newEmail, newPhone } from "./helpers.js";

/**
 * The user-information module driven through the UNMODIFIED official SDK (authing-node-sdk@4.0.1)
 * against a listening Gatehouse: every AuthenticationClient method of docs/wire-contract.md §3c, with
 * its failure cases, asserting on the envelope the SDK hands back.
 */
const clock = new FakeClock(Date.now());
let seq = 0;
const newUsername = () => `sdk_profile_${process.pid}_${++seq}`;
const fail = (r: any, statusCode: number, apiCode?: number) => {
  assert.equal(r.statusCode, statusCode, JSON.stringify(r));
  assert.equal(r.apiCode, apiCode, JSON.stringify(r));
  assert.equal(typeof r.message, "string");
  assert.equal(typeof r.requestId, "string");
};

describeCompat(
  "compat: user information through authing-node-sdk@4.0.1",
  (g) => {
    const client = (accessToken?: string) => authClient(g(), "client_secret_post", { accessToken });
    const smsCode = (phone: string, channel: string) => codeFor(g(), phone, channel);
    const emailCode = (email: string, channel: string) => codeFor(g(), email, channel);

    interface User {
      sdk: ReturnType<typeof authClient>;
      phone: string;
      password: string;
      email?: string;
    }

    /** Sign-up by phone code with a password, sign-in by phone + password — all through the SDK. */
    async function phoneUser(): Promise<User> {
      const anon = client();
      const phone = newPhone();
      const password = "Secret-pass-123";
      assert.equal(
        (await anon.sendSms({ channel: "CHANNEL_REGISTER" as any, phoneNumber: phone })).statusCode,
        200,
      );
      const up = await anon.signUpByPhoneCode({
        phone,
        passCode: smsCode(phone, "CHANNEL_REGISTER"),
        options: { passwordForPhonePassCode: password } as any,
      });
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      const tokens = await anon.signInByPhonePassword({ phone, password });
      assert.equal(tokens.statusCode, 200, JSON.stringify(tokens));
      return { sdk: client(tokens.data.access_token), phone, password };
    }

    async function withEmail(u: User): Promise<User & { email: string }> {
      const email = newEmail();
      await u.sdk.sendEmail({ channel: "CHANNEL_BIND_EMAIL" as any, email });
      const r = await u.sdk.bindEmail({ email, passCode: emailCode(email, "CHANNEL_BIND_EMAIL") });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      return { ...u, email };
    }

    it("getProfile: the user with flags; without a token → 401/2020", async () => {
      const u = await phoneUser();
      const r = await u.sdk.getProfile({ withCustomData: true, withIdentities: true });
      assert.equal(r.statusCode, 200);
      assert.deepEqual([r.data.phone, r.data.phoneCountryCode, r.data.phoneVerified], [u.phone, "+86", true]);
      assert.deepEqual([r.data.customData, r.data.identities], [{}, []]);
      fail(await client().getProfile({}), 401, 2020);
    });

    it("updateProfile: fields change; username taken → 409/2034; email refused → 400/2225", async () => {
      const a = await phoneUser();
      const b = await phoneUser();
      const name = newUsername();
      const r = await a.sdk.updateProfile({ nickname: "Nick", username: name, gender: "F" as any });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.deepEqual([r.data.nickname, r.data.username, r.data.gender], ["Nick", name, "F"]);
      fail(await b.sdk.updateProfile({ username: name }), 409, 2034);
      fail(await b.sdk.updateProfile({ email: newEmail() } as any), 400, 2225);
    });

    it("updateProfile: externalId (declared by UpdateUserProfileDto) is refused with 403; nothing changes", async () => {
      const u = await phoneUser();
      fail(await u.sdk.updateProfile({ nickname: "Squatter", externalId: "hr-0001" }), 403);
      const me = await u.sdk.getProfile({});
      assert.deepEqual([me.data.externalId ?? null, me.data.nickname ?? null], [null, null]);
    });

    it("bindEmail / unbindEmail: codes on CHANNEL_BIND_EMAIL / CHANNEL_UNBIND_EMAIL; failures", async () => {
      const u = await withEmail(await phoneUser());
      assert.equal((await u.sdk.getProfile({})).data.emailVerified, true);
      fail(await u.sdk.bindEmail({ email: newEmail(), passCode: "123456" }), 422, 2200);
      await u.sdk.sendEmail({ channel: "CHANNEL_UNBIND_EMAIL" as any, email: u.email });
      const code = emailCode(u.email, "CHANNEL_UNBIND_EMAIL");
      fail(await u.sdk.unbindEmail({ passCode: code === "000000" ? "111111" : "000000" }), 400, 2001);
      assert.equal((await u.sdk.unbindEmail({ passCode: code })).statusCode, 200);
      fail(await u.sdk.unbindEmail({ passCode: code }), 422, 2219);
    });

    it("bindPhone / unbindPhone: bind when none, unbind never the last way to sign in", async () => {
      const anon = client();
      const email = newEmail();
      const password = "Secret-pass-123";
      assert.equal((await anon.signUpByEmailPassword({ email, password })).statusCode, 200);
      const u = client((await anon.signInByEmailPassword({ email, password })).data.access_token);
      const phone = newPhone();
      await u.sendSms({ channel: "CHANNEL_BIND_PHONE" as any, phoneNumber: phone });
      fail(await u.bindPhone({ phoneNumber: phone, passCode: "not-it" }), 400, 2001);
      assert.equal(
        (await u.bindPhone({ phoneNumber: phone, passCode: smsCode(phone, "CHANNEL_BIND_PHONE") }))
          .statusCode,
        200,
      );
      assert.equal((await u.getProfile({})).data.phone, phone);
      await u.sendSms({ channel: "CHANNEL_UNBIND_PHONE" as any, phoneNumber: phone });
      assert.equal(
        (await u.unbindPhone({ passCode: smsCode(phone, "CHANNEL_UNBIND_PHONE") })).statusCode,
        200,
      );

      const only = await phoneUser();
      await only.sdk.sendSms({ channel: "CHANNEL_UNBIND_PHONE" as any, phoneNumber: only.phone });
      fail(await only.sdk.unbindPhone({ passCode: smsCode(only.phone, "CHANNEL_UNBIND_PHONE") }), 422, 2217);
    });

    it("getSecurityLevel: GetSecurityInfoDto with the documented score", async () => {
      const u = await withEmail(await phoneUser());
      const r = await u.sdk.getSecurityLevel();
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.data, {
        passwordSecurityLevel: 3,
        mfaEnrolled: false,
        passwordSet: true,
        emailBinded: true,
        phoneBinded: true,
        securityScore: 70,
      });
    });

    it("updatePassword: old password required and checked; the new one signs in", async () => {
      const u = await phoneUser();
      fail(await u.sdk.updatePassword({ newPassword: "Another-pass-456" }), 400, 2201);
      fail(await u.sdk.updatePassword({ oldPassword: "wrong", newPassword: "Another-pass-456" }), 403, 2203);
      assert.equal(
        (await u.sdk.updatePassword({ oldPassword: u.password, newPassword: "Another-pass-456" })).statusCode,
        200,
      );
      assert.equal(
        (await client().signInByPhonePassword({ phone: u.phone, password: "Another-pass-456" })).statusCode,
        200,
      );
    });

    it("verifyUpdateEmailRequest / updateEmail: old pair required, token single use", async () => {
      const u = await withEmail(await phoneUser());
      const next = newEmail();
      await u.sdk.sendEmail({ channel: "CHANNEL_UPDATE_EMAIL" as any, email: u.email });
      await u.sdk.sendEmail({ channel: "CHANNEL_UPDATE_EMAIL" as any, email: next });
      const newEmailPassCode = emailCode(next, "CHANNEL_UPDATE_EMAIL");
      fail(
        await u.sdk.verifyUpdateEmailRequest({
          verifyMethod: "EMAIL_PASSCODE" as any,
          emailPassCodePayload: { newEmail: next, newEmailPassCode },
        }),
        400,
        2227,
      );
      const v = await u.sdk.verifyUpdateEmailRequest({
        verifyMethod: "EMAIL_PASSCODE" as any,
        emailPassCodePayload: {
          newEmail: next,
          newEmailPassCode,
          oldEmail: u.email,
          oldEmailPassCode: emailCode(u.email, "CHANNEL_UPDATE_EMAIL"),
        },
      });
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      assert.equal(v.data.tokenExpiresIn, 60);
      const done = await u.sdk.updateEmail({ updateEmailToken: v.data.updateEmailToken });
      assert.deepEqual([done.statusCode, done.data], [200, { success: true }]);
      fail(await u.sdk.updateEmail({ updateEmailToken: v.data.updateEmailToken }), 400, 2207);
      assert.equal((await u.sdk.getProfile({})).data.email, next);
    });

    it("verifyUpdatePhoneRequest / updatePhone: send both codes, verify, update; failures on the way", async () => {
      const u = await phoneUser();
      const next = newPhone();
      await u.sdk.sendSms({ channel: "CHANNEL_UNBIND_PHONE" as any, phoneNumber: u.phone });
      await u.sdk.sendSms({ channel: "CHANNEL_BIND_PHONE" as any, phoneNumber: next });
      const payload = {
        oldPhoneNumber: u.phone,
        oldPhonePassCode: smsCode(u.phone, "CHANNEL_UNBIND_PHONE"),
        newPhoneNumber: next,
        newPhonePassCode: smsCode(next, "CHANNEL_BIND_PHONE"),
      };
      const verify = (p: Record<string, string>) =>
        u.sdk.verifyUpdatePhoneRequest({
          verifyMethod: "PHONE_PASSCODE" as any,
          phonePassCodePayload: p as any,
        });
      fail(await verify({ newPhoneNumber: next, newPhonePassCode: payload.newPhonePassCode }), 400, 2228);
      fail(await verify({ ...payload, oldPhoneNumber: newPhone() }), 400, 2038);
      fail(await verify({ ...payload, newPhoneNumber: u.phone }), 400, 2230);
      const v = await verify(payload);
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      assert.equal(v.data.tokenExpiresIn, 60);
      fail(await u.sdk.updatePhone({ updatePhoneToken: "A".repeat(43) }), 400, 2207);
      const done = await u.sdk.updatePhone({ updatePhoneToken: v.data.updatePhoneToken });
      assert.deepEqual([done.statusCode, done.data], [200, { success: true }]);
      fail(await u.sdk.updatePhone({ updatePhoneToken: v.data.updatePhoneToken }), 400, 2207);
      const me = await u.sdk.getProfile({});
      assert.deepEqual([me.data.phone, me.data.phoneVerified], [next, true]);
    });

    it("verifyResetPasswordRequest / resetPassword: anonymous; wrong code 2001, bad token 2207", async () => {
      const u = await phoneUser();
      const anon = client();
      await anon.sendSms({ channel: "CHANNEL_RESET_PASSWORD" as any, phoneNumber: u.phone });
      const passCode = smsCode(u.phone, "CHANNEL_RESET_PASSWORD");
      const wrong = passCode === "000000" ? "111111" : "000000";
      fail(
        await anon.verifyResetPasswordRequest({
          verifyMethod: "PHONE_PASSCODE" as any,
          phonePassCodePayload: { phoneNumber: u.phone, passCode: wrong },
        }),
        400,
        2001,
      );
      const v = await anon.verifyResetPasswordRequest({
        verifyMethod: "PHONE_PASSCODE" as any,
        phonePassCodePayload: { phoneNumber: u.phone, passCode },
      });
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      fail(
        await anon.resetPassword({ passwordResetToken: "A".repeat(43), password: "Reset-pass-1" }),
        400,
        2207,
      );
      const r = await anon.resetPassword({
        passwordResetToken: v.data.passwordResetToken,
        password: "Reset-pass-1",
      });
      assert.deepEqual([r.statusCode, r.data], [200, { success: true }]);
      assert.equal(
        (await anon.signInByPhonePassword({ phone: u.phone, password: "Reset-pass-1" })).statusCode,
        200,
      );
    });

    it("verifyDeleteAccountRequest / deleteAccount: PASSWORD refused with a phone; code works; sign-in then fails", async () => {
      const u = await phoneUser();
      const refused = await u.sdk.verifyDeleteAccountRequest({
        verifyMethod: "PASSWORD" as any,
        passwordPayload: { password: u.password },
      });
      assert.equal(refused.statusCode, 400);
      await u.sdk.sendSms({ channel: "CHANNEL_DELETE_ACCOUNT" as any, phoneNumber: u.phone });
      const v = await u.sdk.verifyDeleteAccountRequest({
        verifyMethod: "PHONE_PASSCODE" as any,
        phonePassCodePayload: { phoneNumber: u.phone, passCode: smsCode(u.phone, "CHANNEL_DELETE_ACCOUNT") },
      });
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      assert.equal(v.data.tokenExpiresIn, 60);
      fail(await u.sdk.deleteAccount({ deleteAccountToken: "A".repeat(43) }), 400, 2207);
      const done = await u.sdk.deleteAccount({ deleteAccountToken: v.data.deleteAccountToken });
      assert.deepEqual([done.statusCode, done.data], [200, { success: true }]);
      fail(await u.sdk.getProfile({}), 401, 2207);
      fail(await client().signInByPhonePassword({ phone: u.phone, password: u.password }), 403, 2333);
    });

    it("validatePassword: valid for the signed-in account's password, not for another", async () => {
      const u = await phoneUser();
      const ok = await u.sdk.validatePassword({ password: u.password });
      assert.deepEqual([ok.statusCode, ok.data], [200, { valid: true }]);
      const named = await u.sdk.validatePassword({ phone: u.phone, password: u.password });
      assert.deepEqual(named.data, { valid: true });
      assert.deepEqual((await u.sdk.validatePassword({ password: "wrong-pass" })).data, { valid: false });
      fail(await client().validatePassword({ password: u.password }), 401, 2020);
    });
  },
  { clock },
);
