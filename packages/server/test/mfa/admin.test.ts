import assert from "node:assert/strict";
import { it } from "node:test";
import { Secret, TOTP } from "otpauth";
import { FakeClock } from "../../src/lib/clock.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { cli } from "../helpers/cli.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { enableFactors, enrolOtp } from "../helpers/mfa.js";
import { as, newEmail, register } from "../helpers/profile.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));

describeEachDialect(
  "mfa: the management side",
  (h) => {
    it("get-user-mfa-info says which factor types a user has", async () => {
      await enableFactors(h(), ["OTP"]);
      const u = await register(h(), { email: true });
      const info = async () =>
        (await mgmt(h(), "GET", "/api/v3/get-user-mfa-info", { params: { userId: u.userId } })).data;
      const none = {
        totpStatus: "DISABLED",
        faceMfaStatus: "DISABLED",
        smsMfaStatus: "DISABLED",
        emailMfaStatus: "DISABLED",
      };
      assert.deepEqual(await info(), none);
      await enrolOtp(h(), u.token);
      assert.deepEqual(await info(), { ...none, totpStatus: "ENABLED" });
      const byEmail = await mgmt(h(), "GET", "/api/v3/get-user-mfa-info", {
        params: { userId: u.email, userIdType: "email" },
      });
      assert.equal(byEmail.data.totpStatus, "ENABLED");
    });

    it("create-user with otp {secret, recoveryCode}: the user's authenticator and recovery code work", async () => {
      const secret = new Secret({ size: 20 }).base32;
      const email = newEmail();
      const created = await mgmt(h(), "POST", "/api/v3/create-user", {
        body: {
          email,
          password: "Secret-pass-123",
          otp: { secret, recoveryCode: "aaaa-bbbb-cccc-dddd-eeee-ffff" },
        },
      });
      assert.equal(created.statusCode, 200, JSON.stringify(created));
      const userId = created.data.userId;
      const poolId = h().boot.userPoolId;
      const row = await h().ctx.repos.mfaFactors.findUserFactorByType(poolId, userId, "OTP");
      assert.ok(row?.secret_sealed && !row.secret_sealed.includes(secret));
      const subject = {
        poolId,
        userId,
        settings: await h().ctx.auth.poolSettings(poolId),
        meta: { ip: null, userAgent: null, origin: NO_REQUEST },
      };
      const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: clock.now() });
      assert.deepEqual(await h().ctx.mfa.totpVerify(subject, code), { verified: true });
      const used = await h().ctx.mfa.verifyFactor(subject, {
        kind: "RECOVERY",
        code: "aaaa-bbbb-cccc-dddd-eeee-ffff",
      });
      assert.ok(used.newRecoveryCode);

      const bad = await mgmt(h(), "POST", "/api/v3/create-user", {
        body: { email: newEmail(), otp: { secret: "not base32!" } },
      });
      assertApiError(bad, "MFA_OTP_SECRET_INVALID");
    });

    it("disable-global-mfa-settings takes factors out; list-factors-to-enroll follows", async () => {
      await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
      const u = await register(h(), { email: true });
      const r = await mgmt(h(), "POST", "/api/v3/disable-global-mfa-settings", {
        body: { disableFactors: ["SMS", "FACE"] },
      });
      const policy = { policy: "optional", rememberDeviceDays: 0, apiSignin: false };
      assert.deepEqual(r.data, { enabledFactors: ["OTP", "EMAIL"], ...policy });
      assert.deepEqual((await mgmt(h(), "GET", "/api/v3/get-global-mfa-settings")).data, {
        enabledFactors: ["OTP", "EMAIL"],
        ...policy,
      });
      const toEnrol = await as(h(), u.token)("GET", "/api/v3/list-factors-to-enroll");
      assert.deepEqual(toEnrol.data, [{ factorType: "OTP" }, { factorType: "EMAIL" }]);
      const bad = await mgmt(h(), "POST", "/api/v3/disable-global-mfa-settings", {
        body: { disableFactors: ["NOPE"] },
      });
      assert.equal(bad.statusCode, 400);
    });

    it("gatehouse user reset-mfa removes the user's factors and writes mfa:reset", async () => {
      const email = newEmail();
      const created = await mgmt(h(), "POST", "/api/v3/create-user", {
        body: { email, password: "Secret-pass-123", otp: { secret: new Secret({ size: 20 }).base32 } },
      });
      const userId = created.data.userId;
      const r = await cli(h().ctx.config, "user", "reset-mfa", email, "--by", "email");
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.trim(), "removed 1 factor(s)");
      assert.equal(await h().ctx.mfa.isEnrolled(h().boot.userPoolId, userId), false);
      const events = await h()
        .ctx.repos.db.selectFrom("events")
        .select("data")
        .where("name", "=", "mfa:reset")
        .where("user_id", "=", userId)
        .execute();
      assert.equal(events.length, 1);
      assert.deepEqual(JSON.parse(events[0]?.data ?? "{}").data, { userId, factorTypes: ["OTP"] });
      const again = await cli(h().ctx.config, "user", "reset-mfa", email, "--by", "email", "--json");
      assert.deepEqual(JSON.parse(again.out), { removedFactors: 0 });
    });

    it("an administrator's reset removes the user's factors", async () => {
      await enableFactors(h(), ["OTP"]);
      const u = await register(h(), { email: true });
      await enrolOtp(h(), u.token);
      assert.equal(await h().ctx.mfa.resetUserFactors(h().boot.userPoolId, NO_REQUEST, u.userId), 1);
      assert.deepEqual((await as(h(), u.token)("GET", "/api/v3/list-enrolled-factors")).data, []);
      assert.equal((await as(h(), u.token)("GET", "/api/v3/get-security-info")).data.mfaEnrolled, false);
    });
  },
  { clock },
);
