import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { newId } from "../../src/lib/ids.js";
import { createFlowTokens } from "../../src/services/codes/flow-tokens.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import {
  as,
  deleteUser,
  e164,
  newEmail,
  newPhone,
  register,
  resetPoolSettings,
  sendEmail,
  sendSms,
  setPoolSettings,
  signIn,
} from "../helpers/profile.js";

const clock = new FakeClock(Date.now());

describeEachDialect(
  "profile: forgot password",
  (h) => {
    beforeEach(() => resetPoolSettings(h()));
    const verifyByPhone = (phoneNumber: string, passCode: string, headers: Record<string, string> = {}) =>
      h().api(
        "POST",
        "/api/v3/verify-reset-password-request",
        { verifyMethod: "PHONE_PASSCODE", phonePassCodePayload: { phoneNumber, passCode } },
        headers,
      );
    const reset = (passwordResetToken: string, password: string, headers: Record<string, string> = {}) =>
      h().api("POST", "/api/v3/reset-password", { passwordResetToken, password }, headers);

    it("forgot password: anonymous, by phone code (CHANNEL_RESET_PASSWORD) → token (600 s) → new password signs in", async () => {
      const u = await register(h(), { phone: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD");
      const v = await verifyByPhone(u.phone!, passCode);
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      assert.equal(v.data.tokenExpiresIn, 600);
      const r = await reset(v.data.passwordResetToken, "Brand-new-pass-1");
      assert.deepEqual([r.statusCode, r.data], [200, { success: true }]);
      assert.ok(await signIn(h(), u.phone!, "Brand-new-pass-1"));
    });

    it("forgot password: by email code", async () => {
      const u = await register(h(), { email: true });
      const passCode = await sendEmail(h(), u.email!, "CHANNEL_RESET_PASSWORD");
      const v = await h().api("POST", "/api/v3/verify-reset-password-request", {
        verifyMethod: "EMAIL_PASSCODE",
        emailPassCodePayload: { email: u.email, passCode },
      });
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      assert.equal((await reset(v.data.passwordResetToken, "Brand-new-pass-2")).statusCode, 200);
      assert.ok(await signIn(h(), u.email!, "Brand-new-pass-2"));
    });

    it("forgot password: success ends every session of the user and sends a notice", async () => {
      const u = await register(h(), { phone: true, email: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD");
      const v = await verifyByPhone(u.phone!, passCode);
      assert.equal((await reset(v.data.passwordResetToken, "Brand-new-pass-3")).statusCode, 200);
      assert.equal((await as(h(), u.token)("GET", "/api/v3/get-profile")).statusCode, 401);
      assert.ok(h().ctx.outbox.lastFor(u.email!, { purpose: "password_reset" }));
    });

    it("forgot password: a reset lifts the sign-in lockout that wrong passwords caused", async () => {
      const u = await register(h(), { phone: true });
      for (let i = 0; i < 6; i++) {
        await h().api("POST", "/api/v3/signin", {
          connection: "PASSWORD",
          passwordPayload: { phone: u.phone, password: "wrong-guess" },
          client_id: h().boot.appId,
          client_secret: h().boot.appSecret,
        });
      }
      const locked = await h().api("POST", "/api/v3/signin", {
        connection: "PASSWORD",
        passwordPayload: { phone: u.phone, password: u.password },
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
      assert.deepEqual([locked.statusCode, locked.apiCode], [403, 2057]);
      const v = await verifyByPhone(u.phone!, await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD"));
      assert.equal((await reset(v.data.passwordResetToken, "Brand-new-pass-9")).statusCode, 200);
      assert.ok(await signIn(h(), u.phone!, "Brand-new-pass-9"));
    });

    it("forgot password: an unknown phone is indistinguishable from a wrong code (no account enumeration)", async () => {
      const known = await register(h(), { phone: true });
      const unknown = newPhone();
      const sendKnown = await h().api("POST", "/api/v3/send-sms", {
        channel: "CHANNEL_RESET_PASSWORD",
        phoneNumber: known.phone,
      });
      const sendUnknown = await h().api("POST", "/api/v3/send-sms", {
        channel: "CHANNEL_RESET_PASSWORD",
        phoneNumber: unknown,
      });
      assert.deepEqual([sendKnown.statusCode, sendUnknown.statusCode], [200, 200]);
      assert.equal(
        h().ctx.outbox.lastCodeFor(e164(unknown)),
        undefined,
        "nothing delivered to an unknown number",
      );
      const code = h().ctx.outbox.lastCodeFor(e164(known.phone!), "CHANNEL_RESET_PASSWORD")!;
      const guess = code === "000000" ? "111111" : "000000";
      const a = await verifyByPhone(known.phone!, guess);
      const b = await verifyByPhone(unknown, guess);
      const strip = (r: any) => ({
        statusCode: r.statusCode,
        apiCode: r.apiCode,
        message: r.message,
        data: r.data,
      });
      assert.deepEqual(strip(a), strip(b));
      assert.deepEqual([a.statusCode, a.apiCode], [400, 2001]);
    });

    it("forgot password: an unknown email is indistinguishable from a wrong code", async () => {
      const known = await register(h(), { email: true });
      const unknown = newEmail();
      for (const email of [known.email, unknown]) {
        const r = await h().api("POST", "/api/v3/send-email", { channel: "CHANNEL_RESET_PASSWORD", email });
        assert.equal(r.statusCode, 200);
      }
      const code = h().ctx.outbox.lastCodeFor(known.email!, "CHANNEL_RESET_PASSWORD")!;
      const guess = code === "000000" ? "111111" : "000000";
      const verify = (email: string) =>
        h().api("POST", "/api/v3/verify-reset-password-request", {
          verifyMethod: "EMAIL_PASSCODE",
          emailPassCodePayload: { email, passCode: guess },
        });
      const [a, b] = [await verify(known.email!), await verify(unknown)];
      assert.deepEqual([a.statusCode, a.apiCode, a.message], [b.statusCode, b.apiCode, b.message]);
    });

    it("forgot password: a right code for an account deleted since it was sent is wrong (2001)", async () => {
      const u = await register(h(), { phone: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD");
      await deleteUser(h(), u.userId);
      const v = await verifyByPhone(u.phone!, passCode);
      assert.deepEqual([v.statusCode, v.apiCode], [400, 2001]);
    });

    it("forgot password: a code sent on another channel (CHANNEL_LOGIN) is wrong (2001)", async () => {
      const u = await register(h(), { phone: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_LOGIN");
      const v = await verifyByPhone(u.phone!, passCode);
      assert.deepEqual([v.statusCode, v.apiCode], [400, 2001]);
    });

    it("reset-password: a weak password → 400/2061 and the token survives for a better one", async () => {
      await setPoolSettings(h(), { passwordStrength: 2 });
      const u = await register(h(), { phone: true });
      const v = await verifyByPhone(u.phone!, await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD"));
      const weak = await reset(v.data.passwordResetToken, "aaaaaaaa");
      assert.deepEqual([weak.statusCode, weak.apiCode], [400, 2061]);
      assert.equal((await reset(v.data.passwordResetToken, "Better-pass-42")).statusCode, 200);
    });

    it("reset-password: reused, expired (after 600 s) or unknown token → 400/2207", async () => {
      const u = await register(h(), { phone: true });
      const t = (await verifyByPhone(u.phone!, await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD"))).data
        .passwordResetToken;
      assert.equal((await reset(t, "Brand-new-pass-4")).statusCode, 200);
      assert.equal((await reset(t, "Brand-new-pass-5")).apiCode, 2207);
      clock.advance(61_000);
      const t2 = (await verifyByPhone(u.phone!, await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD"))).data
        .passwordResetToken;
      clock.advance(601_000);
      assert.equal((await reset(t2, "Brand-new-pass-6")).apiCode, 2207);
      assert.equal((await reset("A".repeat(43), "Brand-new-pass-7")).apiCode, 2207);
    });

    it("reset-password: a token is only good in its own pool (another pool's app → 400/2207)", async () => {
      const u = await register(h(), { phone: true });
      const t = (await verifyByPhone(u.phone!, await sendSms(h(), u.phone!, "CHANNEL_RESET_PASSWORD"))).data
        .passwordResetToken;
      const poolId = newId();
      const appId = newId();
      const now = Date.now();
      await h().ctx.repos.pools.insertPool({
        id: poolId,
        name: "other",
        secret: h().ctx.keys.box.seal("pool-secret", poolId, "s"),
        settings: "{}",
        created_at: now,
        updated_at: now,
      });
      await h().ctx.repos.applications.insertApplication({
        id: appId,
        pool_id: poolId,
        name: "other",
        identifier: "other",
        secret: h().ctx.keys.box.seal("app-secret", appId, "s"),
        app_type: "web",
        token_endpoint_auth_method: "client_secret_post",
        config: "{}",
        created_at: now,
        updated_at: now,
      });
      const r = await reset(t, "Brand-new-pass-8", { "x-authing-app-id": appId });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2207]);
      assert.equal((await reset(t, "Brand-new-pass-8")).statusCode, 200);
    });

    it("reset-password: the address the code proved becomes verified — an email by email code, a phone by phone code", async () => {
      const row = (userId: string) => h().ctx.repos.users.findUserById(h().boot.userPoolId, userId);
      // A password sign-up leaves its email unproved.
      const u = await register(h(), { email: true });
      assert.equal((await row(u.userId))?.email_verified, 0);
      const passCode = await sendEmail(h(), u.email!, "CHANNEL_RESET_PASSWORD");
      const v = await h().api("POST", "/api/v3/verify-reset-password-request", {
        verifyMethod: "EMAIL_PASSCODE",
        emailPassCodePayload: { email: u.email, passCode },
      });
      assert.equal((await reset(v.data.passwordResetToken, "Brand-new-pass-10")).statusCode, 200);
      assert.equal((await row(u.userId))?.email_verified, 1);
      // An administrator's user with an unverified phone.
      const phone = newPhone();
      const created = await mgmt(h(), "POST", "/api/v3/create-user", {
        body: { phone, password: "Secret-pass-123" },
      });
      assert.equal(created.statusCode, 200, JSON.stringify(created));
      const userId = created.data.userId;
      assert.equal((await row(userId))?.phone_verified, 0);
      const w = await verifyByPhone(phone, await sendSms(h(), phone, "CHANNEL_RESET_PASSWORD"));
      assert.equal((await reset(w.data.passwordResetToken, "Brand-new-pass-11")).statusCode, 200);
      assert.deepEqual([(await row(userId))?.phone_verified, (await row(userId))?.email_verified], [1, 0]);
      assert.ok(await signIn(h(), phone, "Brand-new-pass-11"));
    });

    it("reset-password: a token issued before the proved address was recorded in it still resets", async () => {
      const u = await register(h(), { email: true });
      const { token } = await createFlowTokens({ secret: h().ctx.keys.secret, clock }).issue(h().ctx.repos, {
        purpose: "reset_password",
        poolId: h().boot.userPoolId,
        userId: u.userId,
        payload: { via: "email" },
        ttlSeconds: 600,
      });
      const r = await reset(token, "Brand-new-pass-12");
      assert.deepEqual([r.statusCode, r.data], [200, { success: true }], JSON.stringify(r));
      assert.ok(await signIn(h(), u.email!, "Brand-new-pass-12"));
      const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, u.userId);
      assert.equal(row?.email_verified, 0, "no address proved: nothing marked");
    });

    it("verify-reset-password-request: a payload missing for its verifyMethod → 400 naming it", async () => {
      const verify = (body: Record<string, unknown>) =>
        h().api("POST", "/api/v3/verify-reset-password-request", body);
      for (const [body, field] of [
        [
          { verifyMethod: "EMAIL_PASSCODE", emailPassCodePayload: { passCode: "123456" } },
          "emailPassCodePayload.email",
        ],
        [{ verifyMethod: "EMAIL_PASSCODE" }, "emailPassCodePayload.email"],
        [{ verifyMethod: "PHONE_PASSCODE" }, "phonePassCodePayload"],
        [
          { verifyMethod: "PHONE_PASSCODE", emailPassCodePayload: { email: newEmail(), passCode: "123456" } },
          "phonePassCodePayload",
        ],
      ] as const) {
        const r = await verify(body);
        assert.deepEqual([r.statusCode, r.message], [400, `${field} is required`], JSON.stringify(body));
      }
    });
  },
  { clock, config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
