import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { newId } from "../../src/lib/ids.js";
import { maskEmail, maskText } from "../../src/services/users/audit.js";
import { describeEachDialect } from "../helpers/harness.js";
import { as, e164, newPhone, register, sendEmail, sendSms } from "../helpers/profile.js";

const clock = new FakeClock(Date.now());

describeEachDialect(
  "profile: delete account",
  (h) => {
    const verify = (token: string, body: Record<string, unknown>) =>
      as(h(), token)("POST", "/api/v3/verify-delete-account-request", body);
    const del = (token: string, deleteAccountToken: string) =>
      as(h(), token)("POST", "/api/v3/delete-account", { deleteAccountToken });
    const signin = (passwordPayload: Record<string, string>) =>
      h().api("POST", "/api/v3/signin", {
        connection: "PASSWORD",
        passwordPayload,
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });

    it("delete account: by phone code (CHANNEL_DELETE_ACCOUNT) → deleteAccountToken (60 s) → deleted", async () => {
      const u = await register(h(), { phone: true, email: true, username: true });
      // No public API links social identities yet: arrange one in the store.
      await h().ctx.repos.identities.insertIdentity({
        id: newId(),
        pool_id: h().boot.userPoolId,
        user_id: u.userId,
        ext_idp_id: "github-idp",
        provider: "github",
        type: "primary",
        user_id_in_idp: `gh-${u.userId}`,
        user_info: null,
        origin_conn_ids: "[]",
        created_at: Date.now(),
      });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_DELETE_ACCOUNT", u.token);
      const v = await verify(u.token, {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { phoneNumber: u.phone, passCode },
      });
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      assert.equal(v.data.tokenExpiresIn, 60);
      const r = await del(u.token, v.data.deleteAccountToken);
      assert.deepEqual([r.statusCode, r.data], [200, { success: true }]);

      // every session ends
      assert.equal((await as(h(), u.token)("GET", "/api/v3/get-profile")).statusCode, 401);
      // sign-in fails exactly as for an account that never existed
      const old = await signin({ account: u.username!, password: u.password! });
      const never = await signin({ account: "never-existed-user", password: u.password! });
      assert.deepEqual(
        [old.statusCode, old.apiCode, old.message],
        [never.statusCode, never.apiCode, never.message],
      );
      assert.deepEqual([old.statusCode, old.apiCode], [403, 2333]);
      // identities gone, identifiers free for reuse
      assert.deepEqual(await h().ctx.repos.identities.listIdentitiesByUser(u.userId), []);
      assert.equal(
        await h().ctx.repos.users.findUserByPhone(h().boot.userPoolId, `+86${u.phone}`),
        undefined,
      );
      const again = await register(h(), { username: true, password: "Secret-pass-123" });
      const reuse = await as(h(), again.token)("POST", "/api/v3/update-profile", { username: u.username });
      assert.equal(reuse.statusCode, 200, JSON.stringify(reuse));
      const code = await sendSms(h(), u.phone!, "CHANNEL_BIND_PHONE", again.token);
      const rebound = await as(h(), again.token)("POST", "/api/v3/bind-phone", {
        phoneNumber: u.phone,
        passCode: code,
      });
      assert.equal(rebound.statusCode, 200, JSON.stringify(rebound));
    });

    it("delete account: the audit record keeps only a masked identifier; earlier events lose IP and user agent; sign-in history goes", async () => {
      const u = await register(h(), { phone: true, email: true });
      const history = () =>
        h().ctx.repos.loginHistory.listLoginHistory({ poolId: h().boot.userPoolId, userId: u.userId }, 1, 10);
      assert.ok((await history()).totalCount > 0, "the user signed in");
      const passCode = await sendEmail(h(), u.email!, "CHANNEL_DELETE_ACCOUNT", u.token);
      const v = await verify(u.token, {
        verifyMethod: "EMAIL_PASSCODE",
        emailPassCodePayload: { email: u.email, passCode },
      });
      assert.equal((await del(u.token, v.data.deleteAccountToken)).statusCode, 200);
      assert.equal((await history()).totalCount, 0);
      const events = await h().ctx.repos.audit.listAuditEventsByUser(h().boot.userPoolId, u.userId);
      const deleted = events.find((e) => e.action === "user.deleted");
      assert.ok(deleted);
      assert.equal(deleted.target, `+86 ${u.phone!.slice(0, 3)}****${u.phone!.slice(-4)}`);
      assert.deepEqual(
        [deleted.ip, deleted.user_agent, deleted.old_value, deleted.new_value],
        [null, null, null, null],
      );
      assert.ok(events.length > 1, "the email bind happened before");
      for (const to of [e164(u.phone!), u.email!]) {
        assert.ok(
          h().ctx.outbox.lastFor(to, { purpose: "account_deleted" }),
          `account_deleted notice to ${to}`,
        );
      }
      for (const e of events) {
        assert.deepEqual([e.ip, e.user_agent], [null, null]);
        assert.ok(!JSON.stringify(e).includes(u.phone!) && !JSON.stringify(e).includes(u.email!));
      }
    });

    it("delete account: without a phone the record keeps the masked email; without either, the masked username", async () => {
      const target = async (userId: string) =>
        (await h().ctx.repos.audit.listAuditEventsByUser(h().boot.userPoolId, userId)).find(
          (e) => e.action === "user.deleted",
        )?.target;
      const byEmail = await register(h(), { email: true, username: true });
      const passCode = await sendEmail(h(), byEmail.email!, "CHANNEL_DELETE_ACCOUNT", byEmail.token);
      const v = await verify(byEmail.token, {
        verifyMethod: "EMAIL_PASSCODE",
        emailPassCodePayload: { passCode },
      });
      const from = h().logs.length;
      assert.equal((await del(byEmail.token, v.data.deleteAccountToken)).statusCode, 200);
      assert.equal(await target(byEmail.userId), maskEmail(byEmail.email!));
      // the one notice goes to the email
      assert.ok(h().ctx.outbox.lastFor(byEmail.email!, { purpose: "account_deleted" }));
      const byName = await register(h(), { username: true });
      const w = await verify(byName.token, {
        verifyMethod: "PASSWORD",
        passwordPayload: { password: byName.password },
      });
      assert.equal((await del(byName.token, w.data.deleteAccountToken)).statusCode, 200);
      assert.equal(await target(byName.userId), maskText(byName.username!));
      // no notice was tried to an address either account never had
      assert.deepEqual(
        h()
          .logs.slice(from)
          .filter((line) => line.includes("change notice not queued")),
        [],
      );
    });

    it("delete account: PASSWORD is refused (400) for a user with a phone or email", async () => {
      const u = await register(h(), { email: true });
      const r = await verify(u.token, {
        verifyMethod: "PASSWORD",
        passwordPayload: { password: u.password },
      });
      assert.equal(r.statusCode, 400);
      assert.match(r.message, /PHONE_PASSCODE|EMAIL_PASSCODE/);
    });

    it("delete account: PASSWORD works for a user with neither phone nor email; a wrong one → 403/2006", async () => {
      const u = await register(h(), { username: true });
      const wrong = await verify(u.token, {
        verifyMethod: "PASSWORD",
        passwordPayload: { password: "nope-nope" },
      });
      assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 2006]);
      const v = await verify(u.token, {
        verifyMethod: "PASSWORD",
        passwordPayload: { password: u.password },
      });
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      assert.equal((await del(u.token, v.data.deleteAccountToken)).statusCode, 200);
    });

    it("delete account: a proof method without its payload is refused naming the payload (400)", async () => {
      const withPhone = await register(h(), { phone: true, email: true });
      const byName = await register(h(), { username: true });
      for (const [token, verifyMethod, payload] of [
        [withPhone.token, "PHONE_PASSCODE", "phonePassCodePayload"],
        [withPhone.token, "EMAIL_PASSCODE", "emailPassCodePayload"],
        [byName.token, "PASSWORD", "passwordPayload"],
      ] as const) {
        const r = await verify(token, { verifyMethod });
        assert.deepEqual([r.statusCode, r.message], [400, `${payload} is required`], verifyMethod);
      }
    });

    it("delete account: an account with no phone, email or password (a social sign-in's) cannot be deleted by PASSWORD, whatever is typed (403/2006)", async () => {
      const u = await register(h(), { username: true });
      // No public API removes a password: arrange the account a social sign-in leaves.
      assert.equal(
        await h().ctx.repos.users.updateUser(h().boot.userPoolId, u.userId, { password_hash: null }),
        1,
      );
      for (const password of [u.password!, "anything-at-all"]) {
        const r = await verify(u.token, { verifyMethod: "PASSWORD", passwordPayload: { password } });
        assert.deepEqual([r.statusCode, r.apiCode], [403, 2006], JSON.stringify(r));
      }
      assert.equal((await as(h(), u.token)("GET", "/api/v3/get-profile")).statusCode, 200);
    });

    it("delete account: a notice that cannot be queued is logged (purpose, kind, error) and never undoes the deletion", async () => {
      const u = await register(h(), { phone: true, email: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_DELETE_ACCOUNT", u.token);
      const v = await verify(u.token, {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { phoneNumber: u.phone, passCode },
      });
      assert.equal(v.statusCode, 200, JSON.stringify(v));
      const notifier = h().ctx.notifier;
      const notify = notifier.notify;
      const from = h().logs.length;
      notifier.notify = (req) => {
        throw new Error(`queue refused the ${req.kind} notice`);
      };
      try {
        const r = await del(u.token, v.data.deleteAccountToken);
        assert.deepEqual([r.statusCode, r.data], [200, { success: true }]);
      } finally {
        notifier.notify = notify;
      }
      assert.equal(await h().ctx.repos.users.findUserById(h().boot.userPoolId, u.userId), undefined);
      const warned = h()
        .logs.slice(from)
        .map((line) => JSON.parse(line))
        .filter((l) => l.msg === "change notice not queued");
      assert.deepEqual(
        warned.map((l) => [l.level, l.purpose, l.kind, l.err?.message]),
        [
          [40, "account_deleted", "sms", "queue refused the sms notice"],
          [40, "account_deleted", "email", "queue refused the email notice"],
        ],
      );
    });

    it("delete account: a phone that is not the user's → 2038; a code from another channel → 2001", async () => {
      const u = await register(h(), { phone: true });
      const mismatch = await verify(u.token, {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { phoneNumber: newPhone(), passCode: "123456" },
      });
      assert.deepEqual([mismatch.statusCode, mismatch.apiCode], [400, 2038]);
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
      const wrongChannel = await verify(u.token, {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { phoneNumber: u.phone, passCode },
      });
      assert.deepEqual([wrongChannel.statusCode, wrongChannel.apiCode], [400, 2001]);
    });

    it("delete-account: the token is single use, bound to its user, and dies after 60 s (400/2207)", async () => {
      const u = await register(h(), { phone: true });
      const stranger = await register(h(), { phone: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_DELETE_ACCOUNT", u.token);
      const t = (
        await verify(u.token, {
          verifyMethod: "PHONE_PASSCODE",
          phonePassCodePayload: { phoneNumber: u.phone, passCode },
        })
      ).data.deleteAccountToken;
      assert.equal((await del(stranger.token, t)).apiCode, 2207);
      assert.equal((await as(h(), stranger.token)("GET", "/api/v3/get-profile")).statusCode, 200);
      clock.advance(61_000);
      assert.equal((await del(u.token, t)).apiCode, 2207);
      assert.equal((await as(h(), u.token)("GET", "/api/v3/get-profile")).statusCode, 200);
    });
  },
  { clock, config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
