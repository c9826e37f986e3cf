import assert from "node:assert/strict";
import { it } from "node:test";
import { UpdateUserProfileDto } from "@gatehouse/protocol";
import { newId } from "../../src/lib/ids.js";
import { signInByPassword } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { as, newPhone, newUsername, profileOf, register, sendSms } from "../helpers/profile.js";

describeEachDialect(
  "profile: get-profile, update-profile, get-security-info, validate-password",
  (h) => {
    it("get-profile: the signed-in user; customData, identities, departmentIds only when asked", async () => {
      const u = await register(h(), { phone: true, email: true });
      const plain = await as(h(), u.token)(
        "GET",
        "/api/v3/get-profile?withCustomData=false&withIdentities=false&withDepartmentIds=false",
      );
      assert.equal(plain.statusCode, 200);
      assert.equal(plain.data.userId, u.userId);
      assert.deepEqual([plain.data.phone, plain.data.email], [u.phone, u.email]);
      for (const k of ["customData", "identities", "departmentIds"]) assert.ok(!(k in plain.data), k);
      assert.ok(!("password_hash" in plain.data) && !JSON.stringify(plain).includes("argon2"));
      const full = await as(h(), u.token)(
        "GET",
        "/api/v3/get-profile?withCustomData=true&withIdentities=true&withDepartmentIds=true",
      );
      assert.deepEqual([full.data.customData, full.data.identities, full.data.departmentIds], [{}, [], []]);
    });

    it("get-profile: without an access token → 401/2020; with a garbage one → 401/2207", async () => {
      const none = await h().api("GET", "/api/v3/get-profile");
      assert.deepEqual([none.statusCode, none.apiCode], [401, 2020]);
      const bad = await as(h(), "garbage.token.here")("GET", "/api/v3/get-profile");
      assert.equal(bad.statusCode, 401);
    });

    /** Custom fields as an administrator defines them (set-custom-fields goes through the same service). */
    const defineFields = (list: { key: string; dataType?: string; userEditable?: boolean }[]) =>
      h().ctx.admin.customFields.set(
        h().boot.userPoolId,
        list.map((f) => ({ targetType: "USER" as const, dataType: "STRING" as const, ...f }) as any),
      );

    it("update-profile: updates the UpdateUserProfileDto fields and returns the updated UserDto", async () => {
      await defineFields([{ key: "school", userEditable: true }]);
      const u = await register(h(), { phone: true });
      const r = await as(h(), u.token)("POST", "/api/v3/update-profile", {
        nickname: "Nick",
        name: "Full Name",
        gender: "F",
        city: "Hangzhou",
        company: "ACME",
        streetAddress: "1 Road",
        customData: { school: "MIT" },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.deepEqual(
        [r.data.nickname, r.data.name, r.data.gender, r.data.city, r.data.company, r.data.streetAddress],
        ["Nick", "Full Name", "F", "Hangzhou", "ACME", "1 Road"],
      );
      const me = await as(h(), u.token)("GET", "/api/v3/get-profile?withCustomData=true");
      assert.deepEqual(me.data.customData, { school: "MIT" });
      const events = await h().ctx.repos.audit.listAuditEventsByUser(h().boot.userPoolId, u.userId);
      assert.ok(events.some((e) => e.action === "user.profile.updated" && e.target?.includes("nickname")));
    });

    for (const [field, value, apiCode, endpoint] of [
      ["email", "x@example.com", 2225, /update-email|bind-email/],
      ["phone", "13900000000", 2226, /update-phone|bind-phone/],
      ["password", "Another-pass-1", undefined, /update-password/],
    ] as const) {
      it(`update-profile: '${field}' is refused with a message pointing at ${endpoint}`, async () => {
        const u = await register(h(), { phone: true, email: true });
        const r = await as(h(), u.token)("POST", "/api/v3/update-profile", { nickname: "N", [field]: value });
        assert.equal(r.statusCode, 400);
        assert.equal(r.apiCode, apiCode);
        assert.match(r.message, endpoint);
        const me = await profileOf(h(), u.token);
        assert.equal(me.nickname, null, "nothing changed");
      });
    }

    it("update-profile: fields outside UpdateUserProfileDto (e.g. givenName) are refused, naming the field", async () => {
      const u = await register(h(), { phone: true });
      const r = await as(h(), u.token)("POST", "/api/v3/update-profile", { givenName: "G" });
      assert.equal(r.statusCode, 400);
      assert.match(r.message, /givenName/);
    });

    it("update-profile: phoneCountryCode alone points at the phone flows (2226); an unknown field is named (64 characters at most) with the accepted ones", async () => {
      const u = await register(h(), { phone: true });
      const post = (body: Record<string, unknown>) =>
        as(h(), u.token)("POST", "/api/v3/update-profile", body);
      const cc = await post({ phoneCountryCode: "+1" });
      assert.deepEqual([cc.statusCode, cc.apiCode], [400, 2226]);
      const long = `x${"y".repeat(99)}`;
      const r = await post({ [long]: "v" });
      assert.equal(r.statusCode, 400);
      assert.ok(r.message.includes(`'${long.slice(0, 64)}'`), r.message);
      assert.ok(!r.message.includes(long.slice(0, 65)), r.message);
      const zh = await h().api(
        "POST",
        "/api/v3/update-profile",
        { [long]: "v" },
        {
          authorization: u.token,
          "x-authing-lang": "zh-CN",
        },
      );
      assert.ok(zh.message.includes(`'${long.slice(0, 64)}'；`), zh.message);
      assert.match(r.message, /accepted: .*nickname.*streetAddress/);
    });

    it("update-profile: an unknown field's message in both languages names it and every accepted field, comma-separated", async () => {
      const u = await register(h(), { phone: true });
      const accepted = Object.keys(UpdateUserProfileDto.properties).join(", ");
      assert.match(accepted, /^name, nickname, .*, company, customData, identityNumber$/);
      const post = (lang: string) =>
        h().api(
          "POST",
          "/api/v3/update-profile",
          { nickname: "N", givenName: "G" },
          { authorization: u.token, "x-authing-lang": lang },
        );
      const en = await post("en-US");
      const zh = await post("zh-CN");
      assert.deepEqual(
        [en.statusCode, zh.statusCode, en.apiCode, zh.apiCode],
        [400, 400, undefined, undefined],
      );
      assert.equal(en.message, `update-profile does not accept 'givenName'; accepted: ${accepted}`);
      assert.equal(zh.message, `update-profile 不接受 'givenName'；可用字段：${accepted}`);
      assert.equal((await profileOf(h(), u.token)).nickname, null, "nothing changed");
    });

    it("update-profile: a body that is no object (null, a string, an array) is the schema's to refuse, not read as fields", async () => {
      const u = await register(h(), { phone: true });
      const objectExpected = await as(h(), u.token)("POST", "/api/v3/update-profile", [{ nickname: "N" }]);
      for (const payload of ["null", '"nickname"', '["email"]', '[{"nickname":"N"}]']) {
        const res = await h().inject({
          method: "POST",
          url: "/api/v3/update-profile",
          headers: {
            "x-authing-app-id": h().boot.appId,
            authorization: u.token,
            "content-type": "application/json",
          },
          payload,
        });
        const r = res.json();
        assert.deepEqual(
          [r.statusCode, r.apiCode, r.message],
          [400, objectExpected.apiCode, objectExpected.message],
          payload,
        );
        assert.doesNotMatch(r.message, /does not accept|email/, payload);
      }
      assert.equal((await profileOf(h(), u.token)).nickname, null, "nothing changed");
    });

    it("update-profile: customData only with defined, user-editable custom fields of the right type", async () => {
      await defineFields([
        { key: "nickname2", userEditable: true },
        { key: "age", dataType: "NUMBER", userEditable: true },
        { key: "creditLimit", dataType: "NUMBER", userEditable: false },
      ]);
      const u = await register(h(), { phone: true });
      const post = (customData: unknown) =>
        as(h(), u.token)("POST", "/api/v3/update-profile", { customData });
      const undefinedKey = await post({ hobby: "chess" });
      assert.equal(undefinedKey.statusCode, 400);
      assert.match(undefinedKey.message, /hobby/);
      const wrongType = await post({ age: "forty" });
      assert.equal(wrongType.statusCode, 400);
      assert.match(wrongType.message, /age/);
      const adminOnly = await post({ creditLimit: 1_000_000 });
      assert.deepEqual([adminOnly.statusCode, adminOnly.apiCode], [403, 2018]);
      assert.equal((await post({ age: 40 })).statusCode, 200);
      assert.equal((await post({ nickname2: "N2" })).statusCode, 200);
      const me = await as(h(), u.token)("GET", "/api/v3/get-profile?withCustomData=true");
      assert.deepEqual(me.data.customData, { age: 40, nickname2: "N2" });
    });

    it("update-profile: a username taken by another user (any case) → 409/2034", async () => {
      const owner = await register(h(), { username: true });
      const u = await register(h(), { phone: true });
      const r = await as(h(), u.token)("POST", "/api/v3/update-profile", {
        username: owner.username!.toUpperCase(),
      });
      assert.deepEqual([r.statusCode, r.apiCode], [409, 2034]);
      const mine = newUsername();
      assert.equal(
        (await as(h(), u.token)("POST", "/api/v3/update-profile", { username: mine })).data.username,
        mine,
      );
    });

    it("update-profile: wrong types and bad enum values → 400", async () => {
      const u = await register(h(), { phone: true });
      for (const body of [
        { gender: "X" },
        { nickname: 5 },
        { customData: "text" },
        { name: "x".repeat(300) },
      ]) {
        const r = await as(h(), u.token)("POST", "/api/v3/update-profile", body);
        assert.equal(r.statusCode, 400, JSON.stringify(body));
      }
    });

    it("get-security-info: passcode-only phone user → score 15 (phone), no password, level 0", async () => {
      const u = await register(h(), { phone: true, password: null });
      const r = await as(h(), u.token)("GET", "/api/v3/get-security-info");
      assert.deepEqual(r.data, {
        passwordSecurityLevel: 0,
        mfaEnrolled: false,
        passwordSet: false,
        emailBinded: false,
        phoneBinded: true,
        securityScore: 15,
      });
    });

    it("get-security-info: strong password (level 3) + email + phone → 20 + 20 + 15 + 15 = 70", async () => {
      const u = await register(h(), { phone: true, email: true, password: "Strong-Pass-1234" });
      const r = await as(h(), u.token)("GET", "/api/v3/get-security-info");
      assert.deepEqual(
        [
          r.data.passwordSecurityLevel,
          r.data.passwordSet,
          r.data.emailBinded,
          r.data.phoneBinded,
          r.data.securityScore,
        ],
        [3, true, true, true, 70],
      );
    });

    it("get-security-info: medium password (level 2) + email → 20 + 10 + 15 = 45; weak (level 1) → 20 + 15 = 35", async () => {
      const medium = await register(h(), { email: true, password: "abcdefg12" });
      const m = await as(h(), medium.token)("GET", "/api/v3/get-security-info");
      assert.deepEqual([m.data.passwordSecurityLevel, m.data.securityScore], [2, 45]);
      const weak = await register(h(), { email: true, password: "abcdef" });
      const w = await as(h(), weak.token)("GET", "/api/v3/get-security-info");
      assert.deepEqual([w.data.passwordSecurityLevel, w.data.securityScore], [1, 35]);
    });

    it("get-security-info: an MFA factor adds 30 — strong password, email, phone and MFA → 100", async () => {
      const u = await register(h(), { phone: true, email: true, password: "Strong-Pass-1234" });
      await h().ctx.repos.mfaFactors.insertFactor({
        id: newId(),
        pool_id: h().boot.userPoolId,
        user_id: u.userId,
        factor_type: "OTP",
        profile: "{}",
        secret_sealed: null,
        recovery_hash: null,
        last_step: 0,
        last_verified_at: null,
        created_at: Date.now(),
      });
      const r = await as(h(), u.token)("GET", "/api/v3/get-security-info");
      assert.deepEqual([r.data.mfaEnrolled, r.data.securityScore], [true, 100]);
    });

    it("update-profile: the audit record names the fields changed, in the DTO's order, comma-separated; customData by that name", async () => {
      await defineFields([{ key: "school", userEditable: true }]);
      const u = await register(h(), { phone: true });
      const post = (body: Record<string, unknown>) =>
        as(h(), u.token)("POST", "/api/v3/update-profile", body);
      assert.equal(
        (await post({ city: "Hangzhou", nickname: "Nick", customData: { school: "MIT" } })).statusCode,
        200,
      );
      assert.equal((await post({ customData: { school: "ETH" } })).statusCode, 200);
      const targets = (await h().ctx.repos.audit.listAuditEventsByUser(h().boot.userPoolId, u.userId))
        .filter((e) => e.action === "user.profile.updated")
        .map((e) => e.target)
        .sort();
      assert.deepEqual(targets, ["customData", "nickname,city,customData"]);
    });

    it("update-profile: an empty string clears an optional field; a body that changes nothing writes nothing", async () => {
      const u = await register(h(), { phone: true });
      const post = (body: Record<string, unknown>) =>
        as(h(), u.token)("POST", "/api/v3/update-profile", body);
      assert.equal((await post({ nickname: "Nick", city: "Hangzhou" })).data.nickname, "Nick");
      const cleared = await post({ nickname: "" });
      assert.deepEqual(
        [cleared.statusCode, cleared.data.nickname, cleared.data.city],
        [200, null, "Hangzhou"],
      );
      const events = async () =>
        (await h().ctx.repos.audit.listAuditEventsByUser(h().boot.userPoolId, u.userId)).filter(
          (e) => e.action === "user.profile.updated",
        ).length;
      const before = await events();
      assert.equal(before, 2);
      const same = await post({});
      assert.deepEqual([same.statusCode, same.data.city], [200, "Hangzhou"]);
      assert.equal(await events(), before, "no audit record for no change");
    });

    it("validate-password: true for the signed-in account's password (named or not), false otherwise", async () => {
      const u = await register(h(), { phone: true, email: true, username: true });
      const check = async (body: Record<string, unknown>) =>
        (await as(h(), u.token)("POST", "/api/v3/validate-password", body)).data.valid;
      assert.equal(await check({ password: u.password }), true);
      assert.equal(await check({ email: u.email, password: u.password }), true);
      assert.equal(await check({ phone: u.phone, password: u.password }), true);
      assert.equal(await check({ username: u.username, password: u.password }), true);
      assert.equal(await check({ password: "wrong-one" }), false);
      // email wins over username (GenAuth's priority): a stranger's email → false
      const other = await register(h(), { email: true, password: u.password });
      assert.equal(await check({ email: other.email, username: u.username, password: u.password }), false);
    });

    it("validate-password: an identifier that does not parse names nobody → false, even with the right password", async () => {
      const u = await register(h(), { phone: true, email: true });
      const check = async (body: Record<string, unknown>) => {
        const r = await as(h(), u.token)("POST", "/api/v3/validate-password", body);
        assert.equal(r.statusCode, 200, JSON.stringify(r));
        return r.data.valid;
      };
      assert.equal(await check({ email: "not-an-email", password: u.password }), false);
      assert.equal(await check({ phone: "12", password: u.password }), false);
      assert.equal(await check({ phone: u.phone, phoneCountryCode: "+86", password: u.password }), true);
    });

    it("validate-password: no password, an empty one or an account without one answers false and never counts towards the lockout", async () => {
      const u = await register(h(), { email: true });
      const post = (token: string, body: Record<string, unknown>) =>
        as(h(), token)("POST", "/api/v3/validate-password", body);
      for (let i = 0; i < 6; i++) {
        for (const body of [{}, { password: "" }]) {
          const r = await post(u.token, body);
          assert.deepEqual([r.statusCode, r.data?.valid], [200, false], JSON.stringify(r));
        }
      }
      assert.equal((await post(u.token, { password: u.password })).data.valid, true, "not locked out");
      const none = await register(h(), { phone: true, password: null });
      for (let i = 0; i < 6; i++) {
        const r = await post(none.token, { password: `guess-${i}` });
        assert.deepEqual([r.statusCode, r.data?.valid], [200, false], JSON.stringify(r));
      }
    });

    it("validate-password: the right password clears the wrong ones counted before it (no lockout after 4 + 4 wrong)", async () => {
      const u = await register(h(), { email: true });
      const valid = async (password: string) => {
        const r = await as(h(), u.token)("POST", "/api/v3/validate-password", { password });
        assert.equal(r.statusCode, 200, JSON.stringify(r));
        return r.data.valid;
      };
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 4; i++) assert.equal(await valid(`wrong-${round}-${i}`), false);
        assert.equal(await valid(u.password!), true);
      }
    });

    it("validate-password: wrong passwords count against the account's own sign-in lockout — after 5, validate-password and sign-in answer 403/2057", async () => {
      const u = await register(h(), { email: true });
      const validate = (password: string) =>
        as(h(), u.token)("POST", "/api/v3/validate-password", { password });
      for (let i = 0; i < 5; i++) {
        const r = await validate(`wrong-${i}`);
        assert.deepEqual([r.statusCode, r.data?.valid], [200, false], JSON.stringify(r));
      }
      const locked = await validate(u.password!);
      assert.deepEqual([locked.statusCode, locked.apiCode], [403, 2057]);
      const signin = await signInByPassword(h(), { account: u.email, password: u.password });
      assert.deepEqual([signin.statusCode, signin.apiCode], [403, 2057]);
      // another account is not locked by them
      const other = await register(h(), { email: true });
      const v = await as(h(), other.token)("POST", "/api/v3/validate-password", { password: other.password });
      assert.deepEqual([v.statusCode, v.data?.valid], [200, true]);
    });

    it("the access token is checked before the body: no token + a refused field → 401/2020, not 400", async () => {
      const r = await h().api("POST", "/api/v3/update-profile", { email: "x@example.com" });
      assert.deepEqual([r.statusCode, r.apiCode], [401, 2020]);
      const bad = await h().api("POST", "/api/v3/bind-phone", { phoneNumber: 5 });
      assert.deepEqual([bad.statusCode, bad.apiCode], [401, 2020]);
    });

    it("settings: update-security-settings (management API) drives the flows at once — verifyOldPhone off", async () => {
      const set = (verifyOldPhone: boolean) =>
        mgmt(h(), "POST", "/api/v3/update-security-settings", {
          body: { changePhoneStrategy: { verifyOldPhone } },
        });
      const u = await register(h(), { phone: true });
      const next = newPhone();
      const newPhonePassCode = await sendSms(h(), next, "CHANNEL_BIND_PHONE", u.token);
      const verify = () =>
        as(h(), u.token)("POST", "/api/v3/verify-update-phone-request", {
          verifyMethod: "PHONE_PASSCODE",
          phonePassCodePayload: { newPhoneNumber: next, newPhonePassCode },
        });
      try {
        assert.equal((await verify()).apiCode, 2228);
        assert.equal((await set(false)).statusCode, 200);
        assert.equal((await verify()).statusCode, 200);
      } finally {
        await set(true);
      }
    });

    it("validate-password: needs the user's access token (401/2020)", async () => {
      const r = await h().api("POST", "/api/v3/validate-password", { password: "x" });
      assert.deepEqual([r.statusCode, r.apiCode], [401, 2020]);
    });
  },
  { config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
