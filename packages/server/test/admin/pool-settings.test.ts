import assert from "node:assert/strict";
import { it } from "node:test";
import { PoolSettings } from "@gatehouse/protocol";
import { Value } from "@sinclair/typebox/value";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

describeEachDialect("management settings", (h) => {
  it("get-security-settings answers the full PoolSettings with defaults", async () => {
    const r = await mgmt(h(), "GET", "/api/v3/get-security-settings");
    assert.ok(Value.Check(PoolSettings, r.data));
    assert.equal(r.data.changePhoneStrategy.verifyOldPhone, true);
    assert.equal(r.data.verifyCodeMaxAttempts, 5);
  });

  it("update-security-settings deep-merges: siblings of a changed nested field keep their values", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/update-security-settings", {
      body: {
        registerDisabled: true,
        loginAnomalyDetection: { loginFailCheck: { limit: 20 } },
        allowedOrigins: ["https://app.example"],
      },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    const s = (await mgmt(h(), "GET", "/api/v3/get-security-settings")).data;
    assert.equal(s.registerDisabled, true);
    assert.equal(s.loginAnomalyDetection.loginFailCheck.limit, 20);
    assert.equal(s.loginAnomalyDetection.loginFailCheck.timeInterval, 300);
    assert.equal(s.loginAnomalyDetection.accountLockLoginPasswordFailCheck.limit, 5);
    assert.deepEqual(s.allowedOrigins, ["https://app.example"]);
    const row = await h().ctx.repos.pools.findPoolById(h().boot.userPoolId);
    assert.equal(JSON.parse(row!.settings).registerDisabled, true);
  });

  it("GenAuth-only settings are ignored, not refused", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/update-security-settings", {
      body: { authingTokenExpiresIn: 1296000, cookieSettings: { cookieExpiresIn: 1 }, verifyCodeLength: 4 },
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.data.verifyCodeLength, 4);
    assert.equal(r.data.authingTokenExpiresIn, undefined);
  });

  it("an out-of-range or mistyped setting is refused with 400 and nothing changes", async () => {
    for (const body of [
      { verifyCodeLength: 12 },
      { verifyCodeLength: "6" },
      { changePhoneStrategy: { verifyOldPhone: "no" } },
      { defaultPhoneCountryCode: "86" },
      { passwordStrength: 4, customPasswordStrength: { regex: "(" } },
    ]) {
      const r = await mgmt(h(), "POST", "/api/v3/update-security-settings", { body });
      assert.equal(r.statusCode, 400, JSON.stringify(body));
    }
    const s = (await mgmt(h(), "GET", "/api/v3/get-security-settings")).data;
    assert.equal(s.verifyCodeLength, 4);
    assert.equal(s.passwordStrength, 0);
  });

  it("global MFA settings are stored and read back", async () => {
    const policy = { policy: "optional", rememberDeviceDays: 0, apiSignin: false };
    assert.deepEqual((await mgmt(h(), "GET", "/api/v3/get-global-mfa-settings")).data, {
      enabledFactors: [],
      ...policy,
    });
    const r = await mgmt(h(), "POST", "/api/v3/update-global-mfa-settings", {
      body: { enabledFactors: ["OTP", "SMS"] },
    });
    assert.deepEqual(r.data, { enabledFactors: ["OTP", "SMS"], ...policy });
    assert.deepEqual((await mgmt(h(), "GET", "/api/v3/get-global-mfa-settings")).data, {
      enabledFactors: ["OTP", "SMS"],
      ...policy,
    });
    const bad = await mgmt(h(), "POST", "/api/v3/update-global-mfa-settings", {
      body: { enabledFactors: ["VOICE"] },
    });
    assert.equal(bad.statusCode, 400);
  });

  it("set-custom-fields creates and then changes USER fields; get-custom-fields lists them", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/set-custom-fields", {
      body: {
        list: [{ targetType: "USER", key: "nickname2", dataType: "STRING", label: "Second nickname" }],
      },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data[0].label, "Second nickname");
    await mgmt(h(), "POST", "/api/v3/set-custom-fields", {
      body: { list: [{ targetType: "USER", key: "nickname2", label: "Alias", userEditable: true }] },
    });
    const list = await mgmt(h(), "GET", "/api/v3/get-custom-fields", { params: { targetType: "USER" } });
    assert.equal(list.data.length, 1);
    assert.equal(list.data[0].label, "Alias");
    assert.equal(list.data[0].dataType, "STRING");
    assert.equal(list.data[0].userEditable, true);
    assert.equal(list.data[0].isUnique, false);
    const roles = await mgmt(h(), "GET", "/api/v3/get-custom-fields", { params: { targetType: "ROLE" } });
    assert.deepEqual(roles.data, []);
  });

  it("set-custom-fields refuses built-in keys, other target types and ENUMs without options", async () => {
    for (const f of [
      { targetType: "USER", key: "email" },
      { targetType: "ROLE", key: "x" },
      { targetType: "USER", key: "e", dataType: "ENUM" },
      { targetType: "USER", key: "has space" },
    ]) {
      const r = await mgmt(h(), "POST", "/api/v3/set-custom-fields", { body: { list: [f] } });
      assert.equal(r.statusCode, 400, JSON.stringify(f));
    }
  });
});
