import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { maskEmail } from "../../src/services/users/audit.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import {
  as,
  deleteUser,
  e164,
  newEmail,
  profileOf,
  register,
  resetPoolSettings,
  sendEmail,
  setPoolSettings,
  signIn,
} from "../helpers/profile.js";

const clock = new FakeClock(Date.now());

describeEachDialect(
  "profile: change email",
  (h) => {
    beforeEach(() => resetPoolSettings(h()));

    async function codesFor(
      token: string,
      oldEmail: string,
      next = newEmail(),
      channels = ["CHANNEL_UPDATE_EMAIL", "CHANNEL_UPDATE_EMAIL"],
    ) {
      const oldEmailPassCode = await sendEmail(h(), oldEmail, channels[0]!, token);
      const newEmailPassCode = await sendEmail(h(), next, channels[1]!, token);
      return { oldEmail, oldEmailPassCode, newEmail: next, newEmailPassCode };
    }
    const verify = (token: string, payload: Record<string, unknown>, field = "emailPassCodePayload") =>
      as(h(), token)("POST", "/api/v3/verify-update-email-request", {
        verifyMethod: "EMAIL_PASSCODE",
        [field]: payload,
      });
    const update = (token: string, updateEmailToken: string) =>
      as(h(), token)("POST", "/api/v3/update-email", { updateEmailToken });

    it("change email: CHANNEL_UPDATE_EMAIL codes for both → updateEmailToken (60 s) → update-email, verified", async () => {
      const u = await register(h(), { email: true });
      const payload = await codesFor(u.token, u.email!);
      const r = await verify(u.token, payload);
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.tokenExpiresIn, 60);
      // The stored payload's keys are a format across versions (services/profile/change-contact.ts).
      const stored = await h()
        .ctx.db.kysely.selectFrom("flow_tokens")
        .select("payload")
        .where("user_id", "=", u.userId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(stored.payload), { oldEmail: u.email, newEmail: payload.newEmail });
      const done = await update(u.token, r.data.updateEmailToken);
      assert.deepEqual([done.statusCode, done.data], [200, { success: true }]);
      const me = await profileOf(h(), u.token);
      assert.deepEqual([me.email, me.emailVerified], [payload.newEmail, true]);
    });

    it("change email: CHANNEL_UNBIND_EMAIL (old) + CHANNEL_BIND_EMAIL (new) are accepted too", async () => {
      const u = await register(h(), { email: true });
      const payload = await codesFor(u.token, u.email!, newEmail(), [
        "CHANNEL_UNBIND_EMAIL",
        "CHANNEL_BIND_EMAIL",
      ]);
      assert.equal((await verify(u.token, payload)).statusCode, 200);
    });

    it("change email: no payload → 400 naming emailPassCodePayload", async () => {
      const u = await register(h(), { email: true });
      const r = await as(h(), u.token)("POST", "/api/v3/verify-update-email-request", {
        verifyMethod: "EMAIL_PASSCODE",
      });
      assert.deepEqual([r.statusCode, r.message], [400, "emailPassCodePayload is required"]);
    });

    it("change email: the doc sample's `emailPasscodePayload` spelling is accepted", async () => {
      const u = await register(h(), { email: true });
      const payload = await codesFor(u.token, u.email!);
      const r = await verify(u.token, payload, "emailPasscodePayload");
      assert.equal(r.statusCode, 200, JSON.stringify(r));
    });

    it("change email: the old address cannot use CHANNEL_BIND_EMAIL, the new one not CHANNEL_UNBIND_EMAIL (2001)", async () => {
      const u = await register(h(), { email: true });
      let r = await verify(
        u.token,
        await codesFor(u.token, u.email!, newEmail(), ["CHANNEL_BIND_EMAIL", "CHANNEL_BIND_EMAIL"]),
      );
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2001]);
      const v = await register(h(), { email: true });
      r = await verify(
        v.token,
        await codesFor(v.token, v.email!, newEmail(), ["CHANNEL_UPDATE_EMAIL", "CHANNEL_UNBIND_EMAIL"]),
      );
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2001]);
    });

    it("change email: old pair required when verifyOldEmail is on → 400/2227; off → only the new code", async () => {
      const u = await register(h(), { email: true });
      const {
        newEmail: next,
        newEmailPassCode,
        oldEmail,
        oldEmailPassCode,
      } = await codesFor(u.token, u.email!);
      for (const p of [
        { newEmail: next, newEmailPassCode },
        { newEmail: next, newEmailPassCode, oldEmail },
        { newEmail: next, newEmailPassCode, oldEmailPassCode },
      ]) {
        const r = await verify(u.token, p);
        assert.deepEqual([r.statusCode, r.apiCode], [400, 2227], JSON.stringify(p));
      }
      await setPoolSettings(h(), { changeEmailStrategy: { verifyOldEmail: false } });
      const ok = await verify(u.token, { newEmail: next, newEmailPassCode });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
    });

    it("change email: an old address that is not the user's → 400/2037", async () => {
      const u = await register(h(), { email: true });
      const payload = await codesFor(u.token, u.email!);
      const r = await verify(u.token, { ...payload, oldEmail: newEmail() });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2037]);
      // One that is no address at all does not match either (not 400 for its shape).
      const bad = await verify(u.token, { ...payload, oldEmail: "not-an-email" });
      assert.deepEqual([bad.statusCode, bad.apiCode], [400, 2037]);
      // The user's own, in other case, does.
      const ok = await verify(u.token, { ...payload, oldEmail: u.email!.toUpperCase() });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
    });

    it("change email: the same address (in any case) → 400/2229", async () => {
      const u = await register(h(), { email: true });
      const r = await verify(u.token, {
        oldEmail: u.email,
        oldEmailPassCode: "123456",
        newEmail: u.email!.toUpperCase(),
        newEmailPassCode: "123456",
      });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2229]);
    });

    it("change email: a re-spelling with the same identifier key (ß → ss) is the user's own, not taken (no 409)", async () => {
      const local = newEmail().split("@")[0];
      const current = `straße-${local}@example.com`;
      const respelt = `strasse-${local}@example.com`;
      const up = await h().api("POST", "/api/v3/signup", {
        connection: "PASSWORD",
        passwordPayload: { email: current, password: "Secret-pass-123" },
      });
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      const token = await signIn(h(), current, "Secret-pass-123");
      const r = await verify(token, await codesFor(token, current, respelt));
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal((await update(token, r.data.updateEmailToken)).statusCode, 200);
      assert.equal((await profileOf(h(), token)).email, respelt);
    });

    it("change email: an address owned by another user → 409/2200, codes not consumed", async () => {
      const owner = await register(h(), { email: true });
      const u = await register(h(), { email: true });
      const payload = await codesFor(u.token, u.email!, owner.email!);
      const r = await verify(u.token, payload);
      assert.deepEqual([r.statusCode, r.apiCode], [409, 2200]);
      assert.equal((await profileOf(h(), u.token)).email, u.email);
      // The codes were not consumed: once the address is free, the same two codes complete the change.
      await deleteUser(h(), owner.userId);
      const freed = await verify(u.token, payload);
      assert.equal(freed.statusCode, 200, JSON.stringify(freed));
      assert.equal((await update(u.token, freed.data.updateEmailToken)).statusCode, 200);
      assert.equal((await profileOf(h(), u.token)).email, owner.email);
    });

    it("change email: a user with no email must use bind-email (422)", async () => {
      const u = await register(h(), { phone: true });
      const r = await verify(u.token, { newEmail: newEmail(), newEmailPassCode: "123456" });
      assert.equal(r.statusCode, 422);
      assert.match(r.message, /bind-email/);
    });

    it("change email: a wrong old code → 2001 and the new code survives", async () => {
      const u = await register(h(), { email: true });
      const payload = await codesFor(u.token, u.email!);
      const wrong = payload.oldEmailPassCode === "000000" ? "111111" : "000000";
      assert.equal((await verify(u.token, { ...payload, oldEmailPassCode: wrong })).apiCode, 2001);
      assert.equal((await verify(u.token, payload)).statusCode, 200);
    });

    it("update-email: single use; another user's or an expired token → 400/2207", async () => {
      const u = await register(h(), { email: true });
      const stranger = await register(h(), { email: true });
      const t = (await verify(u.token, await codesFor(u.token, u.email!))).data.updateEmailToken;
      assert.equal((await update(stranger.token, t)).apiCode, 2207);
      assert.equal((await update(u.token, t)).statusCode, 200);
      assert.equal((await update(u.token, t)).apiCode, 2207);
      clock.advance(61_000);
      const me = await profileOf(h(), u.token);
      const t2 = (await verify(u.token, await codesFor(u.token, me.email))).data.updateEmailToken;
      clock.advance(61_000);
      assert.equal((await update(u.token, t2)).apiCode, 2207);
    });

    it("update-email: the account's address changed after step 1 → 400/2037, no change, the new address stays free", async () => {
      const u = await register(h(), { email: true });
      const payload = await codesFor(u.token, u.email!);
      const { updateEmailToken } = (await verify(u.token, payload)).data;
      const meanwhile = newEmail();
      const moved = await mgmt(h(), "POST", "/api/v3/update-user", {
        body: { userId: u.userId, email: meanwhile },
      });
      assert.equal(moved.statusCode, 200, JSON.stringify(moved));
      const r = await update(u.token, updateEmailToken);
      assert.deepEqual(
        [r.statusCode, r.apiCode, r.message],
        [400, 2037, "The account's email changed after the request was verified; start again"],
      );
      // Refused without spending the token, so it can be tried again, and is answered in Chinese too.
      const zh = await h().api(
        "POST",
        "/api/v3/update-email",
        { updateEmailToken },
        {
          authorization: u.token,
          "x-authing-lang": "zh-CN",
        },
      );
      assert.deepEqual([zh.apiCode, zh.message], [2037, "验证请求之后账号的邮箱已被修改，请重新开始"]);
      assert.equal((await profileOf(h(), u.token)).email, meanwhile);
    });

    it("after an email change: audit event (masked) and a notice to the old address and the phone", async () => {
      const u = await register(h(), { phone: true, email: true });
      const payload = await codesFor(u.token, u.email!);
      assert.equal(
        (await update(u.token, (await verify(u.token, payload)).data.updateEmailToken)).statusCode,
        200,
      );
      const e = (await h().ctx.repos.audit.listAuditEventsByUser(h().boot.userPoolId, u.userId)).find(
        (x) => x.action === "user.email.changed",
      );
      assert.ok(e);
      assert.ok(e.old_value && !e.old_value.includes(u.email!.split("@")[0]!));
      assert.ok(e.new_value?.endsWith("@example.com"));
      for (const to of [u.email!, e164(u.phone!)]) {
        const notice = h().ctx.outbox.lastFor(to, { purpose: "email_changed" });
        assert.ok(notice, `notice to ${to}`);
        assert.equal(notice.code, undefined);
        assert.ok(
          notice.text.includes(maskEmail(payload.newEmail)),
          `the new address, masked: ${notice.text}`,
        );
        assert.ok(!notice.text.includes(payload.newEmail));
      }
      assert.equal(h().ctx.outbox.lastFor(payload.newEmail, { purpose: "email_changed" }), undefined);
    });

    it("after an email change: notifyOnEmailChange off → no notice", async () => {
      await setPoolSettings(h(), { notifyOnEmailChange: false });
      const u = await register(h(), { email: true });
      const payload = await codesFor(u.token, u.email!);
      assert.equal(
        (await update(u.token, (await verify(u.token, payload)).data.updateEmailToken)).statusCode,
        200,
      );
      assert.equal(h().ctx.outbox.lastFor(u.email!, { purpose: "email_changed" }), undefined);
    });
  },
  { clock, config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
