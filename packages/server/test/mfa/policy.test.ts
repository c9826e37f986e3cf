import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { type MfaPolicy, mergeFactors, owedFor, poolMfaOf } from "../../src/services/mfa/policy.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { enrolOtp } from "../helpers/mfa.js";
import { register } from "../helpers/profile.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));
const policy = (p: Partial<MfaPolicy>): MfaPolicy => ({
  policy: "optional",
  enabledFactors: ["OTP", "SMS", "EMAIL"],
  rememberDeviceDays: 0,
  apiSignin: false,
  ...p,
});

describe("mfa policy: the rule", () => {
  it("defaults: optional, no factor, remember-device off, API sign-in off", () => {
    assert.deepEqual(poolMfaOf(undefined), {
      policy: "optional",
      enabledFactors: [],
      rememberDeviceDays: 0,
      apiSignin: false,
    });
    assert.deepEqual(poolMfaOf("{broken"), poolMfaOf(undefined));
    assert.deepEqual(
      poolMfaOf(
        JSON.stringify({
          enabledFactors: ["EMAIL", "FACE", "OTP"],
          policy: "sometimes",
          rememberDeviceDays: -3,
        }),
      ),
      { policy: "optional", enabledFactors: ["OTP", "EMAIL"], rememberDeviceDays: 0, apiSignin: false },
    );
  });

  it("optional: a user with an enrolled factor proves it, one with none is not asked", () => {
    assert.deepEqual(owedFor(policy({}), ["OTP"]), {
      action: "prove",
      enrolled: ["OTP"],
      enrollable: ["SMS", "EMAIL"],
    });
    assert.equal(owedFor(policy({}), []).action, "none");
  });

  it("required: a user with no factor enrols one; with none enabled nothing is asked", () => {
    assert.equal(owedFor(policy({ policy: "required" }), []).action, "enrol");
    assert.equal(owedFor(policy({ policy: "required" }), ["SMS"]).action, "prove");
    assert.equal(owedFor(policy({ policy: "required", enabledFactors: [] }), []).action, "none");
  });

  it("off: never asked, even a user with factors", () => {
    assert.equal(owedFor(policy({ policy: "off" }), ["OTP"]).action, "none");
  });

  it("a factor the pool no longer enables does not count", () => {
    const owed = owedFor(policy({ enabledFactors: ["SMS"] }), ["OTP"]);
    assert.deepEqual(owed, { action: "none", enrolled: [], enrollable: ["SMS"] });
  });

  it("an application switches factors on and off; off wins", () => {
    assert.deepEqual(mergeFactors(["OTP"], { enabledFactors: ["EMAIL"] }), ["OTP", "EMAIL"]);
    assert.deepEqual(mergeFactors(["OTP", "SMS"], { disabledFactors: ["OTP"] }), ["SMS"]);
    assert.deepEqual(mergeFactors([], { enabledFactors: ["SMS"], disabledFactors: ["SMS"] }), []);
  });
});

async function setPool(h: Harness, settings: object) {
  await h.ctx.repos.pools.setPoolMfaSettings(h.boot.userPoolId, JSON.stringify(settings), h.ctx.clock.now());
}

async function setAppMfa(h: Harness, mfa: object) {
  const appId = h.boot.appId;
  const app = await h.ctx.repos.applications.findApplicationById(appId);
  const config = { ...JSON.parse(app?.config ?? "{}"), mfa };
  await h.ctx.repos.applications.updateApplicationConfig(appId, JSON.stringify(config), h.ctx.clock.now());
}

describeEachDialect(
  "mfa policy: ctx.mfa.policyFor and secondFactorsOwed",
  (h) => {
    it("merges the pool's settings with the application's switches", async () => {
      const { userPoolId: poolId, appId } = h().boot;
      await setPool(h(), {
        enabledFactors: ["OTP", "SMS"],
        policy: "required",
        rememberDeviceDays: 30,
        apiSignin: true,
      });
      await setAppMfa(h(), { enabledFactors: ["EMAIL"], disabledFactors: ["SMS"] });
      assert.deepEqual(await h().ctx.mfa.policyFor(poolId), {
        policy: "required",
        enabledFactors: ["OTP", "SMS"],
        rememberDeviceDays: 30,
        apiSignin: true,
      });
      assert.deepEqual((await h().ctx.mfa.policyFor(poolId, appId)).enabledFactors, ["OTP", "EMAIL"]);
      assert.deepEqual((await h().ctx.mfa.policyFor(poolId, "no-such-app")).enabledFactors, ["OTP", "SMS"]);
    });

    it("secondFactorsOwed: enrol under required, prove once enrolled, nothing when off", async () => {
      const poolId = h().boot.userPoolId;
      await setAppMfa(h(), {});
      await setPool(h(), { enabledFactors: ["OTP"], policy: "required" });
      const u = await register(h(), { email: true });
      assert.deepEqual(await h().ctx.mfa.secondFactorsOwed(poolId, u.userId), {
        action: "enrol",
        enrolled: [],
        enrollable: ["OTP"],
      });
      await enrolOtp(h(), u.token);
      assert.deepEqual(await h().ctx.mfa.secondFactorsOwed(poolId, u.userId, h().boot.appId), {
        action: "prove",
        enrolled: ["OTP"],
        enrollable: [],
      });
      await setPool(h(), { enabledFactors: ["OTP"], policy: "off" });
      assert.equal((await h().ctx.mfa.secondFactorsOwed(poolId, u.userId)).action, "none");
    });
  },
  { clock },
);
