import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { describeEachDialect } from "../helpers/harness.js";
import {
  as,
  deleteUser,
  e164,
  newPhone,
  profileOf,
  register,
  resetPoolSettings,
  sendSms,
  setPoolSettings,
  signIn,
} from "../helpers/profile.js";

const clock = new FakeClock(Date.now());
let usNumbers = 0;

describeEachDialect(
  "profile: change phone",
  (h) => {
    beforeEach(() => resetPoolSettings(h()));

    /** Sends both codes (old on UNBIND, new on BIND unless told otherwise) and returns a ready payload. */
    async function codesFor(
      token: string,
      oldPhone: string,
      next = newPhone(),
      newChannel = "CHANNEL_BIND_PHONE",
    ) {
      const oldPhonePassCode = await sendSms(h(), oldPhone, "CHANNEL_UNBIND_PHONE", token);
      const newPhonePassCode = await sendSms(h(), next, newChannel, token);
      return { oldPhoneNumber: oldPhone, oldPhonePassCode, newPhoneNumber: next, newPhonePassCode };
    }
    const verify = (token: string, payload: Record<string, unknown>) =>
      as(h(), token)("POST", "/api/v3/verify-update-phone-request", {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: payload,
      });
    const update = (token: string, updatePhoneToken: string) =>
      as(h(), token)("POST", "/api/v3/update-phone", { updatePhoneToken });

    it("change phone: both codes → updatePhoneToken valid 60 s → update-phone sets the phone, verified", async () => {
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      const r = await verify(u.token, payload);
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.tokenExpiresIn, 60);
      assert.match(r.data.updatePhoneToken, /^[\w-]{43}$/);
      // The stored payload's keys are a format across versions: a token issued before an upgrade
      // is spent after it (services/profile/change-contact.ts, `oldKey`).
      const stored = await h()
        .ctx.db.kysely.selectFrom("flow_tokens")
        .select("payload")
        .where("user_id", "=", u.userId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(stored.payload), {
        oldPhone: e164(u.phone!),
        newPhone: e164(payload.newPhoneNumber),
      });
      const done = await update(u.token, r.data.updatePhoneToken);
      assert.deepEqual([done.statusCode, done.data], [200, { success: true }]);
      const me = await profileOf(h(), u.token);
      assert.deepEqual(
        [me.phone, me.phoneCountryCode, me.phoneVerified],
        [payload.newPhoneNumber, "+86", true],
      );
    });

    it("change phone: old phone code is required when verifyOldPhone is on (default) → 400/2228", async () => {
      const u = await register(h(), { phone: true });
      const { newPhoneNumber, newPhonePassCode, oldPhoneNumber, oldPhonePassCode } = await codesFor(
        u.token,
        u.phone!,
      );
      for (const p of [
        { newPhoneNumber, newPhonePassCode },
        { newPhoneNumber, newPhonePassCode, oldPhoneNumber },
        { newPhoneNumber, newPhonePassCode, oldPhonePassCode },
      ]) {
        const r = await verify(u.token, p);
        assert.deepEqual([r.statusCode, r.apiCode], [400, 2228], JSON.stringify(r));
      }
      assert.equal((await profileOf(h(), u.token)).phone, u.phone);
    });

    it("change phone: an old number that is not the user's current one → 400/2038", async () => {
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      const r = await verify(u.token, { ...payload, oldPhoneNumber: newPhone() });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2038]);
    });

    it("change phone: an old number without its country code is read in the country of the user's number (+1)", async () => {
      usNumbers += 1;
      const national = `201555${String((process.pid + usNumbers) % 10_000).padStart(4, "0")}`;
      const phone = `+1${national}`;
      const send = (channel: string, token?: string) =>
        as(h(), token)("POST", "/api/v3/send-sms", {
          channel,
          phoneNumber: national,
          phoneCountryCode: "+1",
        });
      assert.equal((await send("CHANNEL_REGISTER")).statusCode, 200);
      const up = await h().api("POST", "/api/v3/signup", {
        connection: "PASSCODE",
        passCodePayload: {
          phone: national,
          phoneCountryCode: "+1",
          passCode: h().ctx.outbox.lastCodeFor(phone, "CHANNEL_REGISTER"),
        },
        options: { passwordForPhonePassCode: "Secret-pass-123" },
      });
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      const token = await signIn(h(), phone, "Secret-pass-123");
      assert.equal((await send("CHANNEL_UNBIND_PHONE", token)).statusCode, 200);
      const oldPhonePassCode = h().ctx.outbox.lastCodeFor(phone, "CHANNEL_UNBIND_PHONE");
      const next = newPhone();
      const newPhonePassCode = await sendSms(h(), next, "CHANNEL_BIND_PHONE", token);
      const payload = { oldPhonePassCode, newPhoneNumber: next, newPhonePassCode };
      // In another country it is another number; a wrong country code is refused before any code is spent.
      const other = await verify(token, { ...payload, oldPhoneNumber: national, oldPhoneCountryCode: "+44" });
      assert.deepEqual([other.statusCode, other.apiCode], [400, 2038]);
      const r = await verify(token, { ...payload, oldPhoneNumber: national });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
    });

    it("change phone: a wrong old code → 400/2001 and does not burn the new code", async () => {
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      const wrong = payload.oldPhonePassCode === "000000" ? "111111" : "000000";
      const r = await verify(u.token, { ...payload, oldPhonePassCode: wrong });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2001]);
      const ok = await verify(u.token, payload);
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
    });

    it("change phone: a wrong old code counts an attempt (verifyCodeMaxAttempts 1 → the old code dies, 2300)", async () => {
      await setPoolSettings(h(), { verifyCodeMaxAttempts: 1 });
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      const wrong = payload.oldPhonePassCode === "000000" ? "111111" : "000000";
      assert.equal((await verify(u.token, { ...payload, oldPhonePassCode: wrong })).apiCode, 2001);
      const r = await verify(u.token, payload);
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2300]);
    });

    it("change phone: an expired old code → 400/2300", async () => {
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      clock.advance(301_000);
      const r = await verify(u.token, payload);
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2300]);
    });

    it("change phone: verifyOldPhone off → only the new number's code is checked", async () => {
      await setPoolSettings(h(), { changePhoneStrategy: { verifyOldPhone: false } });
      const u = await register(h(), { phone: true });
      const next = newPhone();
      const newPhonePassCode = await sendSms(h(), next, "CHANNEL_BIND_PHONE", u.token);
      const r = await verify(u.token, { newPhoneNumber: next, newPhonePassCode });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal((await update(u.token, r.data.updatePhoneToken)).statusCode, 200);
      assert.equal((await profileOf(h(), u.token)).phone, next);
    });

    it("change phone: the new number also accepts a CHANNEL_UNBIND_PHONE code (GenAuth doc sample)", async () => {
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!, newPhone(), "CHANNEL_UNBIND_PHONE");
      assert.equal((await verify(u.token, payload)).statusCode, 200);
    });

    it("change phone: codes from another channel are wrong (2001): new on CHANNEL_LOGIN, old on CHANNEL_BIND_PHONE", async () => {
      const u = await register(h(), { phone: true });
      const next = newPhone();
      const oldOk = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
      const newLogin = await sendSms(h(), next, "CHANNEL_LOGIN");
      let r = await verify(u.token, {
        oldPhoneNumber: u.phone,
        oldPhonePassCode: oldOk,
        newPhoneNumber: next,
        newPhonePassCode: newLogin,
      });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2001]);

      const other = await register(h(), { phone: true });
      const oldBind = await sendSms(h(), other.phone!, "CHANNEL_BIND_PHONE", other.token);
      const next2 = newPhone();
      const newOk = await sendSms(h(), next2, "CHANNEL_BIND_PHONE", other.token);
      r = await verify(other.token, {
        oldPhoneNumber: other.phone,
        oldPhonePassCode: oldBind,
        newPhoneNumber: next2,
        newPhonePassCode: newOk,
      });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2001]);
    });

    it("change phone: a new number equal to the current one → 400/2230", async () => {
      const u = await register(h(), { phone: true });
      const r = await verify(u.token, {
        oldPhoneNumber: u.phone,
        oldPhonePassCode: "123456",
        newPhoneNumber: u.phone,
        newPhonePassCode: "123456",
      });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2230]);
    });

    it("change phone: a new number owned by another user of the pool → 409/2035, codes not consumed", async () => {
      const owner = await register(h(), { phone: true });
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!, owner.phone!);
      const r = await verify(u.token, payload);
      assert.deepEqual([r.statusCode, r.apiCode], [409, 2035]);
      assert.equal((await profileOf(h(), u.token)).phone, u.phone);
      // Once the number is free, the very same two codes complete the change.
      await deleteUser(h(), owner.userId);
      const freed = await verify(u.token, payload);
      assert.equal(freed.statusCode, 200, JSON.stringify(freed));
      assert.equal((await update(u.token, freed.data.updatePhoneToken)).statusCode, 200);
      assert.equal((await profileOf(h(), u.token)).phone, owner.phone);
    });

    it("change phone: a user with no phone must use bind-phone (422, message says so)", async () => {
      const u = await register(h(), { email: true, password: "Secret-pass-123" });
      const next = newPhone();
      const r = await verify(u.token, { newPhoneNumber: next, newPhonePassCode: "123456" });
      assert.equal(r.statusCode, 422);
      assert.match(r.message, /bind-phone/);
    });

    it("change phone: a successful verify-request consumes both codes (reusing them → 2300)", async () => {
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      assert.equal((await verify(u.token, payload)).statusCode, 200);
      const again = await verify(u.token, payload);
      assert.deepEqual([again.statusCode, again.apiCode], [400, 2300]);
    });

    it("change phone: verifyMethod other than PHONE_PASSCODE, or no payload → 400", async () => {
      const u = await register(h(), { phone: true });
      const a = await as(h(), u.token)("POST", "/api/v3/verify-update-phone-request", {
        verifyMethod: "EMAIL_PASSCODE",
        phonePassCodePayload: { newPhoneNumber: newPhone(), newPhonePassCode: "123456" },
      });
      const b = await as(h(), u.token)("POST", "/api/v3/verify-update-phone-request", {
        verifyMethod: "PHONE_PASSCODE",
      });
      assert.deepEqual([a.statusCode, b.statusCode], [400, 400]);
    });

    it("change phone: both steps need the user's access token (401/2020)", async () => {
      const r1 = await as(h(), undefined)("POST", "/api/v3/verify-update-phone-request", {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { newPhoneNumber: newPhone(), newPhonePassCode: "123456" },
      });
      const r2 = await as(h(), undefined)("POST", "/api/v3/update-phone", {
        updatePhoneToken: "x".repeat(43),
      });
      assert.deepEqual([r1.statusCode, r1.apiCode, r2.statusCode, r2.apiCode], [401, 2020, 401, 2020]);
    });

    it("update-phone: 20 parallel calls with one token → exactly one success, the rest 400/2207", async () => {
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      const { updatePhoneToken } = (await verify(u.token, payload)).data;
      const results = await Promise.all(Array.from({ length: 20 }, () => update(u.token, updatePhoneToken)));
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
      for (const r of results.filter((x) => x.statusCode !== 200))
        assert.deepEqual([r.statusCode, r.apiCode], [400, 2207]);
      assert.equal((await profileOf(h(), u.token)).phone, payload.newPhoneNumber);
    });

    it("update-phone: expired (after 60 s), reused, another user's or unknown token → 400/2207", async () => {
      const u = await register(h(), { phone: true });
      const stranger = await register(h(), { phone: true });
      const t1 = (await verify(u.token, await codesFor(u.token, u.phone!))).data.updatePhoneToken;
      clock.advance(61_000);
      assert.equal((await update(u.token, t1)).apiCode, 2207, "expired");

      const t2 = (await verify(u.token, await codesFor(u.token, u.phone!))).data.updatePhoneToken;
      assert.equal((await update(stranger.token, t2)).apiCode, 2207, "another user's");
      assert.equal(
        (await update(u.token, `${t2.slice(0, 42)}${t2.endsWith("A") ? "B" : "A"}`)).apiCode,
        2207,
        "unknown",
      );
      assert.equal((await update(u.token, t2)).statusCode, 200);
      assert.equal((await update(u.token, t2)).apiCode, 2207, "reused");
    });

    it("update-phone: tokenExpiresIn follows the pool's updatePhoneTokenExpiresIn", async () => {
      await setPoolSettings(h(), { updatePhoneTokenExpiresIn: 120 });
      const u = await register(h(), { phone: true });
      const r = await verify(u.token, await codesFor(u.token, u.phone!));
      assert.equal(r.data.tokenExpiresIn, 120);
      clock.advance(90_000);
      assert.equal((await update(u.token, r.data.updatePhoneToken)).statusCode, 200);
    });

    it("update-phone: a number taken by someone else after step 1 → 409/2035, no change, the token not spent", async () => {
      await setPoolSettings(h(), { updatePhoneTokenExpiresIn: 3600 });
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      const { updatePhoneToken } = (await verify(u.token, payload)).data;
      // Meanwhile another user binds that number.
      const other = await register(h(), { email: true, password: "Secret-pass-123" });
      clock.advance(61_000); // past the resend cooldown of that number
      const passCode = await sendSms(h(), payload.newPhoneNumber, "CHANNEL_BIND_PHONE", other.token);
      const bound = await as(h(), other.token)("POST", "/api/v3/bind-phone", {
        phoneNumber: payload.newPhoneNumber,
        passCode,
      });
      assert.equal(bound.statusCode, 200, JSON.stringify(bound));
      const r = await update(u.token, updatePhoneToken);
      assert.deepEqual([r.statusCode, r.apiCode], [409, 2035]);
      assert.equal((await profileOf(h(), u.token)).phone, u.phone);
      // The refusal did not spend the token: once the number is free again it completes the change.
      await deleteUser(h(), other.userId);
      assert.equal((await update(u.token, updatePhoneToken)).statusCode, 200);
      assert.equal((await profileOf(h(), u.token)).phone, payload.newPhoneNumber);
    });

    it("update-phone: two users racing for one number at commit → one wins, the other 409/2035, no change", async () => {
      await setPoolSettings(h(), {
        changePhoneStrategy: { verifyOldPhone: false },
        updatePhoneTokenExpiresIn: 3600,
      });
      const target = newPhone();
      const a = await register(h(), { phone: true });
      const b = await register(h(), { phone: true });
      const codeA = await sendSms(h(), target, "CHANNEL_BIND_PHONE", a.token);
      const ta = (await verify(a.token, { newPhoneNumber: target, newPhonePassCode: codeA })).data
        .updatePhoneToken;
      clock.advance(61_000);
      const codeB = await sendSms(h(), target, "CHANNEL_BIND_PHONE", b.token);
      const tb = (await verify(b.token, { newPhoneNumber: target, newPhonePassCode: codeB })).data
        .updatePhoneToken;
      const [ra, rb] = await Promise.all([update(a.token, ta), update(b.token, tb)]);
      const outcomes = [ra, rb].map((r) => `${r.statusCode}/${r.apiCode ?? ""}`).sort();
      assert.deepEqual(outcomes, ["200/", "409/2035"]);
      const phones = [(await profileOf(h(), a.token)).phone, (await profileOf(h(), b.token)).phone];
      assert.equal(phones.filter((p) => p === target).length, 1);
      assert.ok(phones.includes(ra.statusCode === 200 ? b.phone : a.phone), "the loser keeps its number");
    });

    it("update-phone: the user no longer has the verified old number → refused, no change", async () => {
      await setPoolSettings(h(), { updatePhoneTokenExpiresIn: 3600 });
      const u = await register(h(), { phone: true, email: true });
      const payload = await codesFor(u.token, u.phone!);
      const { updatePhoneToken } = (await verify(u.token, payload)).data;
      // Meanwhile the old number is unbound and another one bound.
      clock.advance(61_000);
      const unbindCode = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
      assert.equal(
        (await as(h(), u.token)("POST", "/api/v3/unbind-phone", { passCode: unbindCode })).statusCode,
        200,
      );
      const third = newPhone();
      const bindCode = await sendSms(h(), third, "CHANNEL_BIND_PHONE", u.token);
      assert.equal(
        (await as(h(), u.token)("POST", "/api/v3/bind-phone", { phoneNumber: third, passCode: bindCode }))
          .statusCode,
        200,
      );
      const r = await update(u.token, updatePhoneToken);
      assert.deepEqual(
        [r.statusCode, r.apiCode, r.message],
        [400, 2038, "The account's phone number changed after the request was verified; start again"],
      );
      // Refused without spending the token, so it can be tried again, and is answered in Chinese too.
      const zh = await h().api(
        "POST",
        "/api/v3/update-phone",
        { updatePhoneToken },
        {
          authorization: u.token,
          "x-authing-lang": "zh-CN",
        },
      );
      assert.deepEqual([zh.apiCode, zh.message], [2038, "验证请求之后账号的手机号已被修改，请重新开始"]);
      assert.equal((await profileOf(h(), u.token)).phone, third);
    });

    it("after a change: an audit event says who, what, when, IP, user agent, old and new value masked", async () => {
      const u = await register(h(), { phone: true });
      const payload = await codesFor(u.token, u.phone!);
      const { updatePhoneToken } = (await verify(u.token, payload)).data;
      const res = await h().inject({
        method: "POST",
        url: "/api/v3/update-phone",
        headers: {
          "x-authing-app-id": h().boot.appId,
          authorization: u.token,
          "user-agent": "profile-test/1.0",
        },
        payload: { updatePhoneToken },
      });
      assert.equal(res.json().statusCode, 200);
      const events = await h().ctx.repos.audit.listAuditEventsByUser(h().boot.userPoolId, u.userId);
      const e = events.find((x) => x.action === "user.phone.changed");
      assert.ok(e, "audit event recorded");
      assert.equal(e.actor_type, "user");
      assert.equal(e.actor_id, u.userId);
      assert.equal(e.ip, "127.0.0.1");
      assert.equal(e.user_agent, "profile-test/1.0");
      assert.equal(e.app_id, h().boot.appId);
      assert.ok(Math.abs(e.created_at - clock.now()) < 5_000);
      assert.equal(e.old_value, `+86 ${u.phone!.slice(0, 3)}****${u.phone!.slice(-4)}`);
      assert.equal(
        e.new_value,
        `+86 ${payload.newPhoneNumber.slice(0, 3)}****${payload.newPhoneNumber.slice(-4)}`,
      );
      assert.ok(!JSON.stringify(e).includes(u.phone!) && !JSON.stringify(e).includes(payload.newPhoneNumber));
    });

    it("after a change: a notice (no code, no link) goes to the old number and to the user's email", async () => {
      const u = await register(h(), { phone: true, email: true });
      const payload = await codesFor(u.token, u.phone!);
      const { updatePhoneToken } = (await verify(u.token, payload)).data;
      assert.equal((await update(u.token, updatePhoneToken)).statusCode, 200);
      for (const to of [e164(u.phone!), u.email!]) {
        const notice = h().ctx.outbox.lastFor(to, { purpose: "phone_changed" });
        assert.ok(notice, `notice to ${to}`);
        assert.equal(notice.code, undefined);
        assert.ok(!/https?:\/\//.test(notice.text), "no link");
        assert.ok(!notice.text.includes(payload.newPhoneNumber), "new number masked");
        const masked = `+86 ${payload.newPhoneNumber.slice(0, 3)}****${payload.newPhoneNumber.slice(-4)}`;
        assert.ok(notice.text.includes(masked), `the notice names ${masked}: ${notice.text}`);
      }
      assert.equal(
        h().ctx.outbox.lastFor(e164(payload.newPhoneNumber), { purpose: "phone_changed" }),
        undefined,
      );
    });

    it("after a change: notifyOnPhoneChange off → no notice", async () => {
      await setPoolSettings(h(), { notifyOnPhoneChange: false });
      const u = await register(h(), { phone: true, email: true });
      const { updatePhoneToken } = (await verify(u.token, await codesFor(u.token, u.phone!))).data;
      assert.equal((await update(u.token, updatePhoneToken)).statusCode, 200);
      assert.equal(h().ctx.outbox.lastFor(e164(u.phone!), { purpose: "phone_changed" }), undefined);
      assert.equal(h().ctx.outbox.lastFor(u.email!, { purpose: "phone_changed" }), undefined);
    });
  },
  { clock, config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
