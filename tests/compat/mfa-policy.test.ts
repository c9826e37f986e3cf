import assert from "node:assert/strict";
import { it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { FakeClock } from "../../packages/server/src/lib/clock.js";
import { totpAt } from "../../packages/server/test/helpers/mfa.js";
import { authClient, describeCompat, type Gatehouse, newEmail } from "./helpers.js";

/**
 * The MFA policy and the API's MFA step through the UNMODIFIED official SDK
 * (authing-node-sdk@4.0.1): every ManagementClient MFA-settings method, the 1635 answer of
 * signInByEmailPassword, and verifyMfaToken (docs/mfa.md §Policy, §Management API).
 */
// Real time: the ManagementClient signs with the machine's date, checked against the server clock.
const clock = new FakeClock(Date.now());

function admin(g: Gatehouse) {
  return new ManagementClient({
    accessKeyId: g.h.boot.userPoolId,
    accessKeySecret: g.h.boot.userPoolSecret,
    host: g.url,
  });
}

/** An MFA-step call: GenAuth's V2 path with `Authorization: Bearer <mfaToken>`. */
async function step(g: Gatehouse, path: string, mfaToken: string, body: object) {
  const res = await fetch(`${g.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${mfaToken}` },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as any;
}

describeCompat(
  "compat: MFA policy and the API's MFA step through authing-node-sdk@4.0.1",
  (g) => {
    it("global settings carry the policy; application switches; trigger data; MFA status; reset", async () => {
      const mc = admin(g());
      const set = await mc.updateGlobalMfaSettings({
        enabledFactors: ["OTP", "EMAIL"],
        policy: "required",
        rememberDeviceDays: 7,
        apiSignin: true,
      } as any);
      assert.equal(set.statusCode, 200, JSON.stringify(set));
      assert.deepEqual((await mc.getGlobalMfaSettings()).data, {
        enabledFactors: ["OTP", "EMAIL"],
        policy: "required",
        rememberDeviceDays: 7,
        apiSignin: true,
      });
      // GenAuth's own call (enabledFactors only) keeps the policy.
      await mc.updateGlobalMfaSettings({ enabledFactors: ["OTP", "SMS", "EMAIL"] });
      assert.equal(((await mc.getGlobalMfaSettings()).data as any).policy, "required");
      const bad = await mc.updateGlobalMfaSettings({ enabledFactors: ["OTP"], policy: "sometimes" } as any);
      assert.equal(bad.statusCode, 400);
      const closed = await mc.closeGlobalMfaSettings({ disableFactors: ["SMS"] });
      assert.deepEqual(closed.data.enabledFactors, ["OTP", "EMAIL"]);

      const appId = g().h.boot.appId;
      const app = await mc.updateApplicationMfaSettings({
        appId,
        enabledFactors: ["SMS"],
        disabledFactors: ["EMAIL"],
      } as any);
      assert.deepEqual(app.data, { enabledFactors: ["OTP", "SMS"] });
      const unknownApp = await mc.updateApplicationMfaSettings({
        appId: "nope",
        enabledFactors: ["SMS"],
      } as any);
      assert.equal(unknownApp.apiCode, 2011);

      const email = newEmail("mfa-policy");
      const user = await mc.createUser({ email, password: "Secret-pass-123" } as any);
      const userId = user.data.userId;
      const trigger = await mc.getMfaTriggerData({ appId, userId });
      assert.equal(trigger.statusCode, 200, JSON.stringify(trigger));
      assert.deepEqual(trigger.data.applicationMfa, [
        { mfaPolicy: "OTP", status: 1, sort: 0 },
        { mfaPolicy: "SMS", status: 1, sort: 1 },
      ]);
      assert.equal(trigger.data.totpMfaEnabled, false);
      assert.equal((await authClient(g()).verifyMfaToken({ token: trigger.data.mfaToken })).active, false);

      const status = await mc.setUsersMfaStatus({
        userId: email,
        userIdType: "email" as any,
        mfaTriggerData: { applicationMfa: [{ mfaPolicy: "SMS", status: 0, sort: 0 }] } as any,
      });
      assert.deepEqual(status.data, { success: true });
      const read = await mc.getUserMfaStatus({ userId });
      assert.deepEqual(read.data.applicationMfa, [{ mfaPolicy: "SMS", status: 0, sort: 0 }]);
      // The user's switch takes SMS out of their MFA step.
      const after = await mc.getMfaTriggerData({ appId, userId });
      assert.deepEqual(
        after.data.applicationMfa.map((e: any) => e.mfaPolicy),
        ["OTP"],
      );

      const reset = await mc.makeRequest({
        method: "POST",
        url: "/api/v3/gatehouse/reset-user-mfa",
        data: { userId },
      });
      assert.deepEqual(reset.data, { success: true, removedFactors: 0 });
      const missing = await mc.makeRequest({
        method: "POST",
        url: "/api/v3/gatehouse/reset-user-mfa",
        data: { userId: "no-such-user" },
      });
      assert.equal(missing.apiCode, 2004);
    });

    it("signInByEmailPassword answers 1635 with the MFA token; the TOTP step completes it once", async () => {
      const mc = admin(g());
      await mc.updateGlobalMfaSettings({
        enabledFactors: ["OTP"],
        policy: "optional",
        apiSignin: true,
      } as any);
      await mc.updateApplicationMfaSettings({ appId: g().h.boot.appId, enabledFactors: ["OTP"] } as any);
      const anon = authClient(g());
      const email = newEmail("mfa-step");
      const password = "Secret-pass-123";
      await anon.signUpByEmailPassword({ email, password });
      const first = await anon.signInByEmailPassword({ email, password });
      assert.equal(first.statusCode, 200, JSON.stringify(first));
      const sdk = authClient(g(), "client_secret_post", { accessToken: first.data.access_token });
      const sent = await sdk.sendEnrollFactorRequest({ factorType: "OTP" as any, profile: {} });
      const uri = sent.data.otpData?.qrCodeUri ?? "";
      await sdk.enrollFactor({
        factorType: "OTP" as any,
        enrollmentToken: sent.data.enrollmentToken,
        enrollmentData: { passCode: totpAt(uri, clock.now()) },
      });

      const challenged = (await anon.signInByEmailPassword({ email, password })) as any;
      assert.deepEqual([challenged.statusCode, challenged.apiCode], [302, 1635]);
      const mfaToken = challenged.data.mfaToken as string;
      const done = await step(g(), "/api/v2/applications/mfa/totp/verify", mfaToken, {
        totp: totpAt(uri, clock.now() + 30_000),
      });
      assert.equal(done.statusCode, 200, JSON.stringify(done));
      const me = await authClient(g(), "client_secret_post", {
        accessToken: done.data.access_token,
      }).getProfile({});
      assert.equal(me.data.email, email);
      const again = await step(g(), "/api/v2/applications/mfa/totp/verify", mfaToken, {
        totp: totpAt(uri, clock.now() + 60_000),
      });
      assert.deepEqual([again.statusCode, again.apiCode], [401, 2021]);
      // The SDK's verifyMfaToken sends no body at all: {active: false}.
      assert.deepEqual(await anon.verifyMfaToken({ token: mfaToken }), { active: false });
      await mc.updateGlobalMfaSettings({ enabledFactors: ["OTP"], apiSignin: false } as any);
    });
  },
  { clock },
);
