import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";
import { enableFactors, enrolOtp, totpAt } from "../helpers/mfa.js";
import { as, e164, newEmail, newPhone, register } from "../helpers/profile.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));

describeEachDialect(
  "mfa: factor management",
  (h) => {
    it("OTP: the QR code carries an otpauth URI of the pool and account; a right code enrols it", async () => {
      await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
      const u = await register(h(), { email: true });
      const call = as(h(), u.token);
      const sent = await call("POST", "/api/v3/send-enroll-factor-request", {
        factorType: "OTP",
        profile: {},
      });
      assert.equal(sent.statusCode, 200, JSON.stringify(sent));
      const { enrollmentToken, otpData } = sent.data;
      const pool = await h().ctx.repos.pools.findPoolById(h().boot.userPoolId);
      const label = encodeURIComponent(pool?.name ?? "");
      assert.match(
        otpData.qrCodeUri,
        new RegExp(`^otpauth://totp/${label}:${encodeURIComponent(u.email ?? "")}\\?`),
      );
      assert.match(otpData.qrCodeUri, /[?&]secret=[A-Z2-7]{32}(&|$)/);
      assert.match(otpData.qrCodeUri, new RegExp(`[?&]issuer=${label}(&|$)`));
      assert.match(otpData.qrCodeDataUrl, /^data:image\/png;base64,/);
      assert.match(otpData.recoveryCode, /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);

      const wrong = await call("POST", "/api/v3/enroll-factor", {
        factorType: "OTP",
        enrollmentToken,
        enrollmentData: { passCode: totpAt(otpData.qrCodeUri, clock.now() + 5 * 30_000) },
      });
      assertApiError(wrong, "MFA_TOTP_WRONG");
      // A wrong code leaves the enrolment open: the right one still enrols.
      const r = await call("POST", "/api/v3/enroll-factor", {
        factorType: "OTP",
        enrollmentToken,
        enrollmentData: { passCode: totpAt(otpData.qrCodeUri, clock.now()) },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));

      const list = await call("GET", "/api/v3/list-enrolled-factors");
      assert.equal(list.data.length, 1);
      assert.deepEqual(
        { ...list.data[0], factorId: undefined },
        { factorId: undefined, factorType: "OTP", profile: {} },
      );
      const one = await call("GET", `/api/v3/get-factor?factorId=${list.data[0].factorId}`);
      assert.equal(one.data.factorType, "OTP");
      const toEnrol = await call("GET", "/api/v3/list-factors-to-enroll");
      assert.deepEqual(toEnrol.data, [{ factorType: "SMS" }, { factorType: "EMAIL" }]);
      const security = await call("GET", "/api/v3/get-security-info");
      assert.equal(security.data.mfaEnrolled, true);
      // The secret is stored sealed, never in the clear.
      const row = await h().ctx.repos.mfaFactors.findUserFactorByType(h().boot.userPoolId, u.userId, "OTP");
      const secret = new URL(otpData.qrCodeUri).searchParams.get("secret") ?? "";
      assert.ok(row?.secret_sealed?.startsWith("v1:") && !row.secret_sealed.includes(secret));
      assert.notEqual(row?.recovery_hash, otpData.recoveryCode);

      const again = await call("POST", "/api/v3/send-enroll-factor-request", {
        factorType: "OTP",
        profile: {},
      });
      assertApiError(again, "MFA_FACTOR_ENROLLED");
    });

    it("enrollment token: single use, bound to the factor type and the user, 60 s", async () => {
      const u = await register(h(), { email: true });
      const other = await register(h(), { email: true });
      const call = as(h(), u.token);
      const start = async () =>
        (await call("POST", "/api/v3/send-enroll-factor-request", { factorType: "OTP", profile: {} })).data;
      const a = await start();
      const code = totpAt(a.otpData.qrCodeUri, clock.now());
      const body = {
        factorType: "OTP",
        enrollmentToken: a.enrollmentToken,
        enrollmentData: { passCode: code },
      };
      assertApiError(
        await call("POST", "/api/v3/enroll-factor", { ...body, factorType: "SMS" }),
        "MFA_ENROLLMENT_TOKEN_INVALID",
      );
      assertApiError(
        await as(h(), other.token)("POST", "/api/v3/enroll-factor", body),
        "MFA_ENROLLMENT_TOKEN_INVALID",
      );
      clock.advance(61_000);
      assertApiError(await call("POST", "/api/v3/enroll-factor", body), "MFA_ENROLLMENT_TOKEN_INVALID");
      const b = await start();
      const ok = {
        factorType: "OTP",
        enrollmentToken: b.enrollmentToken,
        enrollmentData: { passCode: totpAt(b.otpData.qrCodeUri, clock.now()) },
      };
      assert.equal((await call("POST", "/api/v3/enroll-factor", ok)).statusCode, 200);
      assertApiError(await call("POST", "/api/v3/enroll-factor", ok), "MFA_ENROLLMENT_TOKEN_INVALID");
    });

    it("hostile input: clear errors, never a 500", async () => {
      const u = await register(h(), { email: true });
      const call = as(h(), u.token);
      const enrol = (body: unknown) => call("POST", "/api/v3/enroll-factor", body);
      assertApiError(
        await enrol({
          factorType: "OTP",
          enrollmentToken: "x".repeat(43),
          enrollmentData: { passCode: "123456" },
        }),
        "MFA_ENROLLMENT_TOKEN_INVALID",
      );
      assertApiError(
        await enrol({ factorType: "OTP", enrollmentToken: "a b", enrollmentData: {} }),
        "MFA_ENROLLMENT_TOKEN_INVALID",
      );
      assert.equal(
        (await enrol({ factorType: "PUSH", enrollmentToken: "t", enrollmentData: {} })).statusCode,
        400,
      );
      assert.equal((await call("POST", "/api/v3/mfa-totp-verify", { totp: "9".repeat(65) })).statusCode, 400);
      assertApiError(
        await call("POST", "/api/v3/mfa-totp-verify", { totp: "12345x" }),
        "MFA_TOTP_NOT_ENROLLED",
      );
      assertApiError(
        await call("GET", `/api/v3/get-factor?factorId=${"%27".repeat(20)}`),
        "MFA_FACTOR_NOT_FOUND",
      );
      const longSms = await call("POST", "/api/v3/send-enroll-factor-request", {
        factorType: "SMS",
        profile: { phoneNumber: "not a phone" },
      });
      assertApiError(longSms, "INVALID_PHONE");
      assertApiError(
        await call("POST", "/api/v3/send-enroll-factor-request", { factorType: "EMAIL", profile: {} }),
        "MFA_PROFILE_REQUIRED",
      );
    });

    it("FACE is not supported; a factor the pool does not enable is refused", async () => {
      const u = await register(h(), { email: true });
      const call = as(h(), u.token);
      assertApiError(
        await call("POST", "/api/v3/send-enroll-factor-request", { factorType: "FACE", profile: {} }),
        "MFA_FACTOR_UNSUPPORTED",
      );
      await enableFactors(h(), ["OTP"]);
      const r = await call("POST", "/api/v3/send-enroll-factor-request", {
        factorType: "SMS",
        profile: { phoneNumber: newPhone() },
      });
      assertApiError(r, "MFA_FACTOR_NOT_ENABLED");
      await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
    });

    it("SMS and EMAIL: a CHANNEL_BIND_MFA code proves the address; a wrong one is 2001", async () => {
      const u = await register(h(), { email: true });
      const call = as(h(), u.token);
      const phone = newPhone();
      const sms = await call("POST", "/api/v3/send-enroll-factor-request", {
        factorType: "SMS",
        profile: { phoneNumber: phone },
      });
      assert.equal(sms.statusCode, 200, JSON.stringify(sms));
      assert.equal(sms.data.otpData, undefined);
      await h().ctx.courier.idle();
      const code = h().ctx.outbox.lastCodeFor(e164(phone), "CHANNEL_BIND_MFA") ?? "";
      const enrol = (passCode: string, type: string, token: string) =>
        call("POST", "/api/v3/enroll-factor", {
          factorType: type,
          enrollmentToken: token,
          enrollmentData: { passCode },
        });
      const wrong = code === "000000" ? "111111" : "000000";
      assertApiError(await enrol(wrong, "SMS", sms.data.enrollmentToken), "CODE_WRONG");
      assert.equal((await enrol(code, "SMS", sms.data.enrollmentToken)).statusCode, 200);

      const email = newEmail();
      const em = await call("POST", "/api/v3/send-enroll-factor-request", {
        factorType: "EMAIL",
        profile: { email },
      });
      await h().ctx.courier.idle();
      const emailCode = h().ctx.outbox.lastCodeFor(email, "CHANNEL_BIND_MFA") ?? "";
      assert.equal((await enrol(emailCode, "EMAIL", em.data.enrollmentToken)).statusCode, 200);

      const list = await call("GET", "/api/v3/list-enrolled-factors");
      const byType = Object.fromEntries(list.data.map((f: any) => [f.factorType, f.profile]));
      assert.deepEqual(byType, { SMS: { phoneNumber: phone, phoneCountryCode: "+86" }, EMAIL: { email } });
    });

    it("mfa-totp-verify: each time step once, one step of drift either side", async () => {
      const u = await register(h(), { email: true });
      const { uri } = await enrolOtp(h(), u.token);
      const call = as(h(), u.token);
      const verify = async (totp: string) =>
        (await call("POST", "/api/v3/mfa-totp-verify", { totp })).data.verified;
      // The enrolment used this step: it cannot be used again.
      assert.equal(await verify(totpAt(uri, clock.now())), false);
      clock.advance(30_000);
      assert.equal(await verify(totpAt(uri, clock.now() + 30_000)), true);
      assert.equal(await verify(totpAt(uri, clock.now() + 30_000)), false);
      clock.advance(90_000);
      assert.equal(await verify(totpAt(uri, clock.now() - 60_000)), false);
      assert.equal(await verify(totpAt(uri, clock.now() - 30_000)), true);
      assert.equal(await verify(totpAt(uri, clock.now())), true);
    });

    it("five wrong codes lock MFA (2057), every attempt in the login history; an admin reset lifts it", async () => {
      const u = await register(h(), { email: true });
      const { uri } = await enrolOtp(h(), u.token);
      clock.advance(30_000);
      const call = as(h(), u.token);
      const right = totpAt(uri, clock.now());
      const wrong = right === "000000" ? "111111" : "000000";
      for (let i = 0; i < 5; i++) {
        const r = await call("POST", "/api/v3/mfa-totp-verify", { totp: wrong });
        assert.equal(r.data.verified, false);
      }
      assertApiError(await call("POST", "/api/v3/mfa-totp-verify", { totp: right }), "MFA_LOCKED");
      const history = await h()
        .ctx.db.kysely.selectFrom("login_history")
        .select(["method", "success"])
        .where("user_id", "=", u.userId)
        .where("method", "=", "mfa:otp")
        .execute();
      assert.equal(history.length, 5);
      assert.ok(history.every((r) => Number(r.success) === 0));
      await h().ctx.mfa.resetUserFactors(h().boot.userPoolId, NO_REQUEST, u.userId);
      assert.deepEqual((await call("GET", "/api/v3/list-enrolled-factors")).data, []);
    });

    it("the lock lasts 15 minutes: a right code is refused (2057) until then and accepted after", async () => {
      const u = await register(h(), { email: true });
      const { uri } = await enrolOtp(h(), u.token);
      clock.advance(30_000);
      const call = as(h(), u.token);
      const first = totpAt(uri, clock.now());
      const wrong = first === "000000" ? "111111" : "000000";
      for (let i = 0; i < 5; i++)
        assert.equal((await call("POST", "/api/v3/mfa-totp-verify", { totp: wrong })).data.verified, false);
      clock.advance(14 * 60_000);
      assertApiError(
        await call("POST", "/api/v3/mfa-totp-verify", { totp: totpAt(uri, clock.now()) }),
        "MFA_LOCKED",
      );
      clock.advance(60_000 + 1);
      const r = await call("POST", "/api/v3/mfa-totp-verify", { totp: totpAt(uri, clock.now()) });
      assert.equal(r.data?.verified, true, JSON.stringify(r));
    });

    it("a right code clears the earlier wrong ones: four wrong, right, four wrong, right again", async () => {
      const u = await register(h(), { email: true });
      const { uri } = await enrolOtp(h(), u.token);
      const call = as(h(), u.token);
      const verify = async (totp: string) =>
        (await call("POST", "/api/v3/mfa-totp-verify", { totp })).data?.verified;
      for (const round of [1, 2]) {
        clock.advance(30_000);
        const right = totpAt(uri, clock.now());
        const wrong = right === "000000" ? "111111" : "000000";
        for (let i = 0; i < 4; i++)
          assert.equal(await verify(wrong), false, `round ${round}, wrong ${i + 1}`);
        assert.equal(await verify(right), true, `round ${round}: the right code`);
      }
      const counters = await h()
        .ctx.db.kysely.selectFrom("rate_buckets")
        .select("key")
        .where("key", "like", `mfa-attempts:%:${u.userId}`)
        .execute();
      assert.deepEqual(counters, [], "the counter went with the right code's commit");
    });

    it("the recovery code completes the step once and is replaced by a new one (6002 after)", async () => {
      const u = await register(h(), { email: true });
      const { recoveryCode } = await enrolOtp(h(), u.token);
      const subject = {
        poolId: h().boot.userPoolId,
        userId: u.userId,
        settings: await h().ctx.auth.poolSettings(h().boot.userPoolId),
        meta: { ip: "127.0.0.1", userAgent: null, appId: h().boot.appId, origin: NO_REQUEST },
      };
      const first = await h().ctx.mfa.verifyFactor(subject, { kind: "RECOVERY", code: recoveryCode });
      assert.equal(first.amr, "otp");
      assert.match(first.newRecoveryCode ?? "", /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);
      assert.notEqual(first.newRecoveryCode, recoveryCode);
      await assert.rejects(
        h().ctx.mfa.verifyFactor(subject, { kind: "RECOVERY", code: recoveryCode }),
        (err: any) => err.key === "MFA_RECOVERY_CODE_WRONG",
      );
      const second = await h().ctx.mfa.verifyFactor(subject, {
        kind: "RECOVERY",
        code: first.newRecoveryCode ?? "",
      });
      assert.ok(second.newRecoveryCode);
    });

    it("reset-factor: needs a second factor or a sign-in within five minutes", async () => {
      const u = await register(h(), { email: true });
      const { uri } = await enrolOtp(h(), u.token);
      const call = as(h(), u.token);
      const factorId = (await call("GET", "/api/v3/list-enrolled-factors")).data[0].factorId;
      clock.advance(6 * 60_000);
      assertApiError(await call("POST", "/api/v3/reset-factor", { factorId }), "MFA_FRESH_PROOF_REQUIRED");
      assertApiError(
        await call("POST", "/api/v3/reset-factor", { factorId: "nope" }),
        "MFA_FACTOR_NOT_FOUND",
      );
      assert.equal(
        (await call("POST", "/api/v3/mfa-totp-verify", { totp: totpAt(uri, clock.now()) })).data.verified,
        true,
      );
      assert.equal((await call("POST", "/api/v3/reset-factor", { factorId })).statusCode, 200);
      assert.deepEqual((await call("GET", "/api/v3/list-enrolled-factors")).data, []);
      assertApiError(await call("GET", `/api/v3/get-factor?factorId=${factorId}`), "MFA_FACTOR_NOT_FOUND");
    });

    it("POST /mfa/token/introspection: empty body → inactive; the token from form, JSON, query or header", async () => {
      const u = await register(h(), { email: true });
      const token = h().ctx.mfa.tokens.issue(h().boot.userPoolId, u.userId);
      const post = async (opts: { url?: string; headers?: Record<string, string>; payload?: string }) => {
        const res = await h().inject({
          method: "POST",
          url: opts.url ?? "/mfa/token/introspection",
          headers: opts.headers,
          payload: opts.payload,
        });
        assert.equal(res.statusCode, 200, res.body);
        return res.json();
      };
      assert.deepEqual(await post({}), { active: false });
      assert.deepEqual(await post({ headers: { "content-type": "application/json" }, payload: "" }), {
        active: false,
      });
      const forms: { url?: string; headers?: Record<string, string>; payload?: string }[] = [
        { headers: { "content-type": "application/x-www-form-urlencoded" }, payload: `token=${token}` },
        { headers: { "content-type": "application/json" }, payload: JSON.stringify({ token }) },
        { url: `/mfa/token/introspection?token=${token}` },
        { headers: { authorization: `Bearer ${token}` } },
      ];
      for (const f of forms) {
        const r = await post(f);
        assert.deepEqual(
          [r.active, r.userId, r.userPoolId, r.exp - r.iat],
          [true, u.userId, h().boot.userPoolId, 600],
        );
      }
      assert.deepEqual(await post({ headers: { authorization: `Bearer ${token}x` } }), { active: false });
      clock.advance(601_000);
      assert.deepEqual(await post({ headers: { authorization: `Bearer ${token}` } }), { active: false });
    });
  },
  { clock, config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
