import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { decodeJwt } from "../../src/services/tokens/jwt.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { enrolOtp, totpAt } from "../helpers/mfa.js";
import { type Account, e164, newEmail, register, sendEmail, sendSms } from "../helpers/profile.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));

async function setMfa(h: Harness, settings: object) {
  await h.ctx.repos.pools.setPoolMfaSettings(h.boot.userPoolId, JSON.stringify(settings), h.ctx.clock.now());
}

function passwordSignIn(h: Harness, u: Account) {
  return h.api("POST", "/api/v3/signin", {
    connection: "PASSWORD",
    passwordPayload: { account: u.email ?? u.phone, password: u.password },
    options: { scope: "openid profile offline_access" },
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });
}

/** POST an MFA-step route with the MFA token as a bearer token. */
async function step(h: Harness, path: string, token: string, body: object) {
  const res = await h.inject({
    method: "POST",
    url: path,
    headers: { authorization: `Bearer ${token}`, "x-authing-app-id": h.boot.appId },
    payload: body,
  });
  assert.equal(res.statusCode, 200);
  return res.json();
}

const idClaims = (idToken: string) => decodeJwt(idToken)?.payload as Record<string, unknown>;

async function eventsNamed(h: Harness, name: string, userId: string) {
  return h.ctx.repos.db
    .selectFrom("events")
    .select("data")
    .where("name", "=", name)
    .where("user_id", "=", userId)
    .execute();
}

describeEachDialect(
  "mfa: the MFA step of /api/v3/signin",
  (h) => {
    it("off by default: signin answers tokens whose ID token says amr [pwd], no acr", async () => {
      await setMfa(h(), { enabledFactors: ["OTP"] });
      const u = await register(h(), { email: true });
      await enrolOtp(h(), u.token);
      const r = await passwordSignIn(h(), u);
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      const claims = idClaims(r.data.id_token);
      assert.deepEqual(claims.amr, ["pwd"]);
      assert.equal(claims.acr, undefined);
    });

    it("apiSignin on: 1635 with the MFA data; a wrong TOTP is 6001; the right one answers tokens with amr and acr, once", async () => {
      await setMfa(h(), { enabledFactors: ["OTP", "SMS"], apiSignin: true });
      const u = await register(h(), { email: true });
      const { uri } = await enrolOtp(h(), u.token);
      clock.advance(30_000);
      const r = await passwordSignIn(h(), u);
      assertApiError(r, "MFA_REQUIRED");
      assert.equal(r.apiCode, 1635);
      assert.equal(r.statusCode, 302);
      const data = r.data;
      assert.equal(typeof data.mfaToken, "string");
      assert.deepEqual(data.applicationMfa, [
        { mfaPolicy: "OTP", status: 1, sort: 0 },
        { mfaPolicy: "SMS", status: 1, sort: 1 },
      ]);
      assert.equal(data.totpMfaEnabled, true);
      assert.equal(data.email, u.email);
      // The first factor alone is not a sign-in: no login event yet.
      assert.equal((await eventsNamed(h(), "login", u.userId)).length, 1); // register's own sign-in

      const intro = await h().inject({
        method: "POST",
        url: "/mfa/token/introspection",
        payload: { token: data.mfaToken },
      });
      assert.equal(intro.json().active, true);

      const wrong = await step(h(), "/api/v2/applications/mfa/totp/verify", data.mfaToken, {
        totp: totpAt(uri, clock.now() + 10 * 30_000),
      });
      assertApiError(wrong, "MFA_TOTP_WRONG");
      assert.equal(wrong.apiCode, 6001);

      const ok = await step(h(), "/api/v2/applications/mfa/totp/verify", data.mfaToken, {
        totp: totpAt(uri, clock.now()),
      });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
      assert.ok(ok.data.access_token && ok.data.refresh_token);
      const claims = idClaims(ok.data.id_token);
      assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
      assert.equal(claims.acr, "mfa");
      const me = await h().api("GET", "/api/v3/get-profile", undefined, {
        authorization: ok.data.access_token,
      });
      assert.equal(me.data.userId, u.userId);
      assert.equal((await eventsNamed(h(), "login", u.userId)).length, 2);
      assert.equal((await eventsNamed(h(), "mfa:verified", u.userId)).length, 1);

      // Spent: the same token, even with a fresh code, signs nobody in again.
      clock.advance(30_000);
      const replay = await step(h(), "/api/v2/applications/mfa/totp/verify", data.mfaToken, {
        totp: totpAt(uri, clock.now()),
      });
      assertApiError(replay, "MFA_TOKEN_INVALID");
      const spent = await h().inject({
        method: "POST",
        url: "/mfa/token/introspection",
        payload: { token: data.mfaToken },
      });
      assert.deepEqual(spent.json(), { active: false });
    });

    it("required policy: 1636; a user with no factor enrols an email factor with the step's code", async () => {
      const u = await register(h(), { email: true });
      await setMfa(h(), { enabledFactors: ["EMAIL"], apiSignin: true, policy: "required" });
      const r = await passwordSignIn(h(), u);
      assertApiError(r, "MFA_REQUIRED_BY_APP");
      assert.equal(r.apiCode, 1636);
      assert.equal(r.data.totpMfaEnabled, false);
      const mfaEmail = newEmail();
      const code = await sendEmail(h(), mfaEmail, "CHANNEL_VERIFY_MFA");
      const ok = await step(h(), "/api/v2/applications/mfa/email/verify", r.data.mfaToken, {
        email: mfaEmail,
        code,
      });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
      assert.deepEqual(idClaims(ok.data.id_token).amr, ["pwd", "email", "mfa"]);
      const factors = await h().ctx.repos.mfaFactors.listUserFactors(h().boot.userPoolId, u.userId);
      assert.deepEqual(
        factors.map((f) => f.factor_type),
        ["EMAIL"],
      );
      assert.equal((await eventsNamed(h(), "mfa:enrolled", u.userId)).length, 1);
      // Now enrolled: the next sign-in asks for that factor, at that address only.
      const again = await passwordSignIn(h(), u);
      assertApiError(again, "MFA_REQUIRED_BY_APP");
      assert.equal(again.data.mfaEmail, mfaEmail);
      const other = newEmail();
      const otherCode = await sendEmail(h(), other, "CHANNEL_VERIFY_MFA");
      const refused = await step(h(), "/api/v2/applications/mfa/email/verify", again.data.mfaToken, {
        email: other,
        code: otherCode,
      });
      assertApiError(refused, "MFA_FACTOR_NOT_OWED");
    });

    it("a user with a factor cannot enrol another in the step: the password alone adds nothing", async () => {
      await setMfa(h(), { enabledFactors: ["OTP", "EMAIL"], apiSignin: true });
      const u = await register(h(), { email: true });
      await enrolOtp(h(), u.token);
      const r = await passwordSignIn(h(), u);
      assertApiError(r, "MFA_REQUIRED");
      const attacker = newEmail();
      const code = await sendEmail(h(), attacker, "CHANNEL_VERIFY_MFA");
      const refused = await step(h(), "/api/v2/applications/mfa/email/verify", r.data.mfaToken, {
        email: attacker,
        code,
      });
      assertApiError(refused, "MFA_FACTOR_NOT_OWED");
      const factors = await h().ctx.repos.mfaFactors.listUserFactors(h().boot.userPoolId, u.userId);
      assert.deepEqual(
        factors.map((f) => f.factor_type),
        ["OTP"],
      );
    });

    it("an SMS factor: the code sent by send-sms on CHANNEL_VERIFY_MFA completes the step", async () => {
      await setMfa(h(), { enabledFactors: ["SMS"], apiSignin: true });
      const u = await register(h(), { email: true });
      const phone = `139${String(Date.now()).slice(-8)}`;
      const sent = await h().api(
        "POST",
        "/api/v3/send-enroll-factor-request",
        { factorType: "SMS", profile: { phoneNumber: phone } },
        { authorization: u.token },
      );
      const enrolCode = h().ctx.outbox.lastCodeFor(e164(phone), "CHANNEL_BIND_MFA");
      const enrolled = await h().api(
        "POST",
        "/api/v3/enroll-factor",
        {
          factorType: "SMS",
          enrollmentToken: sent.data.enrollmentToken,
          enrollmentData: { passCode: enrolCode },
        },
        { authorization: u.token },
      );
      assert.equal(enrolled.statusCode, 200, JSON.stringify(enrolled));
      const r = await passwordSignIn(h(), u);
      assertApiError(r, "MFA_REQUIRED");
      assert.equal(r.data.mfaPhone, phone);
      clock.advance(61_000);
      const code = await sendSms(h(), phone, "CHANNEL_VERIFY_MFA");
      const ok = await step(h(), "/api/v2/applications/mfa/sms/verify", r.data.mfaToken, {
        phone,
        code,
        phoneCountryCode: "+86",
      });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
      assert.deepEqual(idClaims(ok.data.id_token).amr, ["pwd", "sms", "mfa"]);
    });

    it("the recovery code completes the step, answers a new one, and is then refused (6002)", async () => {
      await setMfa(h(), { enabledFactors: ["OTP"], apiSignin: true });
      const u = await register(h(), { email: true });
      const { recoveryCode } = await enrolOtp(h(), u.token);
      const r = await passwordSignIn(h(), u);
      const ok = await step(h(), "/api/v2/mfa/totp/recovery", r.data.mfaToken, { recoveryCode });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
      assert.match(ok.data.recoveryCode, /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);
      assert.notEqual(ok.data.recoveryCode, recoveryCode);
      const again = await passwordSignIn(h(), u);
      const old = await step(h(), "/api/v2/mfa/totp/recovery", again.data.mfaToken, { recoveryCode });
      assertApiError(old, "MFA_RECOVERY_CODE_WRONG");
      assert.equal(old.apiCode, 6002);
      const fresh = await step(h(), "/api/v2/mfa/totp/recovery", again.data.mfaToken, {
        recoveryCode: ok.data.recoveryCode,
      });
      assert.equal(fresh.statusCode, 200, JSON.stringify(fresh));
    });

    it("one MFA token completes one sign-in, even when two right proofs race", async () => {
      await setMfa(h(), { enabledFactors: ["OTP"], apiSignin: true });
      const u = await register(h(), { email: true });
      const { uri, recoveryCode } = await enrolOtp(h(), u.token);
      clock.advance(30_000);
      const r = await passwordSignIn(h(), u);
      const answers = await Promise.all([
        step(h(), "/api/v2/applications/mfa/totp/verify", r.data.mfaToken, {
          totp: totpAt(uri, clock.now()),
        }),
        step(h(), "/api/v2/mfa/totp/recovery", r.data.mfaToken, { recoveryCode }),
      ]);
      assert.equal(answers.filter((a) => a.statusCode === 200).length, 1, JSON.stringify(answers));
      for (const a of answers.filter((x) => x.statusCode !== 200)) assertApiError(a, "MFA_TOKEN_INVALID");
    });

    it("wrong codes lock the step (2057) after five, right code or not", async () => {
      await setMfa(h(), { enabledFactors: ["OTP"], apiSignin: true });
      const u = await register(h(), { email: true });
      const { uri } = await enrolOtp(h(), u.token);
      clock.advance(30_000);
      const r = await passwordSignIn(h(), u);
      for (let i = 0; i < 5; i++) {
        const wrong = await step(h(), "/api/v2/applications/mfa/totp/verify", r.data.mfaToken, {
          totp: "000000" === totpAt(uri, clock.now()) ? "111111" : "000000",
        });
        assertApiError(wrong, "MFA_TOTP_WRONG");
      }
      const locked = await step(h(), "/api/v2/applications/mfa/totp/verify", r.data.mfaToken, {
        totp: totpAt(uri, clock.now()),
      });
      assertApiError(locked, "MFA_LOCKED");
    });

    it("hostile input: no token, a forged token, a bad body answer envelopes and change nothing", async () => {
      const none = await h().api("POST", "/api/v2/applications/mfa/totp/verify", { totp: "123456" });
      assertApiError(none, "MFA_TOKEN_INVALID");
      const forged = await step(h(), "/api/v2/applications/mfa/totp/verify", "eyJwIjoieCJ9.AAAA", {
        totp: "123456",
      });
      assertApiError(forged, "MFA_TOKEN_INVALID");
      const bad = await step(h(), "/api/v2/applications/mfa/sms/verify", "x", { phone: 1 });
      assert.equal(bad.statusCode, 400);
    });

    it("off policy or a factor the application switches off: nothing is asked", async () => {
      await setMfa(h(), { enabledFactors: ["OTP"], apiSignin: true, policy: "off" });
      const u = await register(h(), { email: true });
      await enrolOtp(h(), u.token);
      assert.equal((await passwordSignIn(h(), u)).statusCode, 200);
      await setMfa(h(), { enabledFactors: ["OTP"], apiSignin: true });
      const mgmtApp = await h().ctx.mfa.admin.updateApplicationMfa(
        h().boot.userPoolId,
        {
          appId: h().boot.appId,
          disabledFactors: ["OTP"],
        },
        NO_REQUEST,
      );
      assert.deepEqual(mgmtApp.enabledFactors, []);
      assert.equal((await passwordSignIn(h(), u)).statusCode, 200);
      await h().ctx.mfa.admin.updateApplicationMfa(
        h().boot.userPoolId,
        {
          appId: h().boot.appId,
          enabledFactors: ["OTP"],
        },
        NO_REQUEST,
      );
      assert.equal((await passwordSignIn(h(), u)).apiCode, 1635);
    });
  },
  { clock },
);
