import assert from "node:assert/strict";
import { it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { Secret, TOTP } from "otpauth";
import { FakeClock } from "../../packages/server/src/lib/clock.js";
import { enableFactors, totpAt } from "../../packages/server/test/helpers/mfa.js";
import { authClient, codeFor, describeCompat, newEmail, newPhone } from "./helpers.js";

/**
 * MFA factor management through the UNMODIFIED official SDK (authing-node-sdk@4.0.1): every
 * AuthenticationClient MFA method of docs/mfa.md, with its failure cases.
 */
// Real time: the ManagementClient signs with the machine's date, checked against the server clock.
const clock = new FakeClock(Date.now());

describeCompat(
  "compat: MFA factors through authing-node-sdk@4.0.1",
  (g) => {
    const client = (accessToken?: string) => authClient(g(), "client_secret_post", { accessToken });

    async function emailUser() {
      const anon = client();
      const email = newEmail("mfa");
      const password = "Secret-pass-123";
      const up = await anon.signUpByEmailPassword({ email, password });
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      const tokens = await anon.signInByEmailPassword({ email, password });
      assert.equal(tokens.statusCode, 200, JSON.stringify(tokens));
      return { sdk: client(tokens.data.access_token), email };
    }

    it("OTP: enrol, list, get, verify each code once, reset", async () => {
      await enableFactors(g().h, ["OTP", "SMS"]);
      const { sdk } = await emailUser();
      assert.deepEqual((await sdk.listFactorsToEnroll()).data, [
        { factorType: "OTP" },
        { factorType: "SMS" },
      ]);
      const sent = await sdk.sendEnrollFactorRequest({ factorType: "OTP" as any, profile: {} });
      assert.equal(sent.statusCode, 200, JSON.stringify(sent));
      const uri = sent.data.otpData?.qrCodeUri ?? "";
      const bad = await sdk.enrollFactor({
        factorType: "OTP" as any,
        enrollmentToken: sent.data.enrollmentToken,
        enrollmentData: { passCode: totpAt(uri, clock.now() + 300_000) },
      });
      assert.deepEqual([bad.statusCode, bad.apiCode], [400, 6001]);
      const ok = await sdk.enrollFactor({
        factorType: "OTP" as any,
        enrollmentToken: sent.data.enrollmentToken,
        enrollmentData: { passCode: totpAt(uri, clock.now()) },
      });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
      const list = await sdk.listEnrolledFactors();
      assert.deepEqual(
        list.data.map((f) => f.factorType),
        ["OTP"],
      );
      const factorId = list.data[0]?.factorId ?? "";
      assert.equal((await sdk.getFactor({ factorId })).data.factorId, factorId);
      assert.deepEqual((await sdk.listFactorsToEnroll()).data, [{ factorType: "SMS" }]);
      clock.advance(30_000);
      const code = totpAt(uri, clock.now());
      assert.deepEqual((await sdk.mfaOtpVerify({ totp: code })).data, { verified: true });
      assert.deepEqual((await sdk.mfaOtpVerify({ totp: code })).data, { verified: false });
      assert.equal((await sdk.getSecurityLevel()).data.mfaEnrolled, true);
      const reset = await sdk.resetFactor({ factorId });
      assert.equal(reset.statusCode, 200, JSON.stringify(reset));
      assert.deepEqual((await sdk.listEnrolledFactors()).data, []);
      const gone = await sdk.getFactor({ factorId });
      assert.equal(gone.statusCode, 404);
    });

    it("SMS: the code sent on CHANNEL_BIND_MFA enrols the phone; FACE is refused", async () => {
      const { sdk } = await emailUser();
      const phone = newPhone();
      const sent = await sdk.sendEnrollFactorRequest({
        factorType: "SMS" as any,
        profile: { phoneNumber: phone },
      });
      assert.equal(sent.statusCode, 200, JSON.stringify(sent));
      await g().h.ctx.courier.idle();
      const r = await sdk.enrollFactor({
        factorType: "SMS" as any,
        enrollmentToken: sent.data.enrollmentToken,
        enrollmentData: { passCode: codeFor(g(), `+86${phone}`, "CHANNEL_BIND_MFA") },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.deepEqual((await sdk.listEnrolledFactors()).data[0]?.profile, {
        phoneNumber: phone,
        phoneCountryCode: "+86",
      });
      const face = await sdk.sendEnrollFactorRequest({ factorType: "FACE" as any, profile: {} });
      assert.equal(face.statusCode, 400);
      assert.match(face.message, /not supported/);
    });

    it("ManagementClient: createUser with otp, getUserMfaInfo, closeGlobalMfaSettings", async () => {
      // Built here, after the server listens: the constructor sets axios' process-wide baseURL.
      const mc = new ManagementClient({
        accessKeyId: g().h.boot.userPoolId,
        accessKeySecret: g().h.boot.userPoolSecret,
        host: g().url,
      });
      const secret = new Secret({ size: 20 }).base32;
      const email = newEmail("mfa-admin");
      const password = "Secret-pass-123";
      const created = await mc.createUser({
        email,
        password,
        otp: { secret, recoveryCode: "1111-2222-3333-4444-5555-6666" },
      } as any);
      assert.equal(created.statusCode, 200, JSON.stringify(created));
      const info = await mc.getUserMfaInfo({ userId: created.data.userId });
      assert.deepEqual(info.data, {
        totpStatus: "ENABLED",
        faceMfaStatus: "DISABLED",
        smsMfaStatus: "DISABLED",
        emailMfaStatus: "DISABLED",
      });
      // The imported authenticator answers mfaOtpVerify for the user.
      const tokens = await client().signInByEmailPassword({ email, password });
      const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: clock.now() });
      assert.deepEqual((await client(tokens.data.access_token).mfaOtpVerify({ totp: code })).data, {
        verified: true,
      });

      await mc.updateGlobalMfaSettings({ enabledFactors: ["OTP", "SMS", "EMAIL"] });
      const closed = await mc.closeGlobalMfaSettings({ disableFactors: ["SMS"] });
      assert.deepEqual(closed.data.enabledFactors, ["OTP", "EMAIL"]);
    });

    it("verifyMfaToken: the SDK sends no body, the answer is {active: false}", async () => {
      const r = await client().verifyMfaToken({ token: "anything" });
      assert.deepEqual(r, { active: false });
    });
  },
  { clock },
);
