import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { newId } from "../../src/lib/ids.js";
import { maskEmail } from "../../src/services/users/email.js";
import { maskPhone } from "../../src/services/users/phone.js";
import { describeEachDialect } from "../helpers/harness.js";
import {
  as,
  deleteUser,
  e164,
  newEmail,
  newPhone,
  profileOf,
  register,
  sendEmail,
  sendSms,
  signIn,
} from "../helpers/profile.js";

const clock = new FakeClock(Date.now());

describeEachDialect(
  "profile: bind and unbind",
  (h) => {
    const post = (token: string, url: string, body: unknown) => as(h(), token)("POST", url, body);

    it("bind-phone: a user without a phone binds one with a CHANNEL_BIND_PHONE code; phoneVerified true", async () => {
      const u = await register(h(), { email: true });
      const phone = newPhone();
      const passCode = await sendSms(h(), phone, "CHANNEL_BIND_PHONE", u.token);
      const r = await post(u.token, "/api/v3/bind-phone", { phoneNumber: phone, passCode });
      assert.deepEqual([r.statusCode, r.data], [200, undefined], JSON.stringify(r));
      const me = await profileOf(h(), u.token);
      assert.deepEqual([me.phone, me.phoneCountryCode, me.phoneVerified], [phone, "+86", true]);
      const events = await h().ctx.repos.audit.listAuditEventsByUser(h().boot.userPoolId, u.userId);
      assert.ok(events.some((e) => e.action === "user.phone.bound"));
    });

    it("bind-phone: when a phone is already bound → 422/2035 pointing at the change flow", async () => {
      const u = await register(h(), { phone: true });
      const phone = newPhone();
      const passCode = await sendSms(h(), phone, "CHANNEL_BIND_PHONE", u.token);
      const r = await post(u.token, "/api/v3/bind-phone", { phoneNumber: phone, passCode });
      assert.deepEqual([r.statusCode, r.apiCode], [422, 2035]);
      assert.match(r.message, /verify-update-phone-request/);
    });

    it("bind when an address is bound → 422 before the code is looked at; bind-email and unbind-email check their codes (2001)", async () => {
      const u = await register(h(), { phone: true, email: true });
      const phone = await post(u.token, "/api/v3/bind-phone", {
        phoneNumber: newPhone(),
        passCode: "000000",
      });
      assert.deepEqual([phone.statusCode, phone.apiCode], [422, 2035]);
      const email = await post(u.token, "/api/v3/bind-email", { email: newEmail(), passCode: "000000" });
      assert.deepEqual([email.statusCode, email.apiCode], [422, 2200]);
      const v = await register(h(), { phone: true });
      const address = newEmail();
      const login = await sendEmail(h(), address, "CHANNEL_LOGIN");
      const wrong = await post(v.token, "/api/v3/bind-email", { email: address, passCode: login });
      assert.deepEqual([wrong.statusCode, wrong.apiCode], [400, 2001], JSON.stringify(wrong));
      clock.advance(61_000); // the sign-up's bind-email code was the last to this address
      const bindCode = await sendEmail(h(), u.email!, "CHANNEL_BIND_EMAIL", u.token);
      const unbind = await post(u.token, "/api/v3/unbind-email", { passCode: bindCode });
      assert.deepEqual([unbind.statusCode, unbind.apiCode], [400, 2001]);
      assert.equal((await profileOf(h(), u.token)).email, u.email);
    });

    it("bind-phone: a code sent on another channel is wrong (2001)", async () => {
      const u = await register(h(), { email: true });
      const phone = newPhone();
      const passCode = await sendSms(h(), phone, "CHANNEL_LOGIN");
      const r = await post(u.token, "/api/v3/bind-phone", { phoneNumber: phone, passCode });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2001]);
    });

    it("bind-phone: a number bound to another user → 409/2035, the code not consumed", async () => {
      const owner = await register(h(), { phone: true });
      const u = await register(h(), { email: true });
      const passCode = await sendSms(h(), owner.phone!, "CHANNEL_BIND_PHONE", u.token);
      const r = await post(u.token, "/api/v3/bind-phone", { phoneNumber: owner.phone, passCode });
      assert.deepEqual([r.statusCode, r.apiCode], [409, 2035]);
      assert.equal((await profileOf(h(), u.token)).phone ?? null, null);
      // Once the number is free, the same code binds it.
      await deleteUser(h(), owner.userId);
      const freed = await post(u.token, "/api/v3/bind-phone", { phoneNumber: owner.phone, passCode });
      assert.equal(freed.statusCode, 200, JSON.stringify(freed));
      assert.equal((await profileOf(h(), u.token)).phone, owner.phone);
    });

    it("bind-email: binds with a CHANNEL_BIND_EMAIL code (emailVerified true); again → 422/2200; taken → 409/2200", async () => {
      const owner = await register(h(), { email: true });
      const u = await register(h(), { phone: true });
      const taken = await sendEmail(h(), owner.email!, "CHANNEL_BIND_EMAIL", u.token);
      const conflict = await post(u.token, "/api/v3/bind-email", { email: owner.email, passCode: taken });
      assert.deepEqual([conflict.statusCode, conflict.apiCode], [409, 2200]);

      const email = newEmail();
      const passCode = await sendEmail(h(), email, "CHANNEL_BIND_EMAIL", u.token);
      assert.equal((await post(u.token, "/api/v3/bind-email", { email, passCode })).statusCode, 200);
      const me = await profileOf(h(), u.token);
      assert.deepEqual([me.email, me.emailVerified], [email, true]);

      const another = newEmail();
      const code2 = await sendEmail(h(), another, "CHANNEL_BIND_EMAIL", u.token);
      const again = await post(u.token, "/api/v3/bind-email", { email: another, passCode: code2 });
      assert.deepEqual([again.statusCode, again.apiCode], [422, 2200]);
      assert.match(again.message, /verify-update-email-request/);
    });

    it("bind-email: an address bound to another user → 409/2200, the code not consumed", async () => {
      const owner = await register(h(), { email: true });
      const u = await register(h(), { phone: true });
      const passCode = await sendEmail(h(), owner.email!, "CHANNEL_BIND_EMAIL", u.token);
      const conflict = await post(u.token, "/api/v3/bind-email", { email: owner.email, passCode });
      assert.deepEqual([conflict.statusCode, conflict.apiCode], [409, 2200]);
      assert.equal((await profileOf(h(), u.token)).email ?? null, null);
      // Once the address is free, the same code binds it.
      await deleteUser(h(), owner.userId);
      const freed = await post(u.token, "/api/v3/bind-email", { email: owner.email, passCode });
      assert.equal(freed.statusCode, 200, JSON.stringify(freed));
      assert.equal((await profileOf(h(), u.token)).email, owner.email);
    });

    it("unbind-phone: a CHANNEL_UNBIND_PHONE code sent to the current phone clears it (phoneVerified false)", async () => {
      const u = await register(h(), { phone: true, email: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
      const r = await post(u.token, "/api/v3/unbind-phone", { passCode });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      const me = await profileOf(h(), u.token);
      assert.deepEqual([me.phone, me.phoneVerified], [null, false]);
      const signin = await h().api("POST", "/api/v3/signin", {
        connection: "PASSWORD",
        passwordPayload: { phone: u.phone, password: u.password },
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
      assert.deepEqual([signin.statusCode, signin.apiCode], [403, 2333]);
    });

    it("unbind-phone: a code from another channel (CHANNEL_BIND_PHONE) is wrong (2001)", async () => {
      const u = await register(h(), { phone: true, email: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_BIND_PHONE", u.token);
      const r = await post(u.token, "/api/v3/unbind-phone", { passCode });
      assert.deepEqual([r.statusCode, r.apiCode], [400, 2001]);
    });

    it("unbind-phone: the user's last way to sign in → 422/2217 (a password alone names no account)", async () => {
      for (const password of [null, "Secret-pass-123"]) {
        const u = await register(h(), { phone: true, password });
        const passCode = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
        const r = await post(u.token, "/api/v3/unbind-phone", { passCode });
        assert.deepEqual([r.statusCode, r.apiCode], [422, 2217]);
        assert.equal((await profileOf(h(), u.token)).phone, u.phone);
      }
    });

    it("unbind-phone: allowed when a username with a password remains", async () => {
      const u = await register(h(), { phone: true, username: true });
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
      assert.equal((await post(u.token, "/api/v3/unbind-phone", { passCode })).statusCode, 200);
      assert.ok(await signIn(h(), u.username!, u.password!));
    });

    it("unbind-phone: a linked social identity is another way to sign in; a username without a password is not", async () => {
      const social = await register(h(), { phone: true, password: null });
      await h().ctx.repos.identities.insertIdentity({
        id: newId(),
        pool_id: h().boot.userPoolId,
        user_id: social.userId,
        ext_idp_id: "github-idp",
        provider: "github",
        type: "primary",
        user_id_in_idp: `gh-${social.userId}`,
        user_info: null,
        origin_conn_ids: "[]",
        created_at: Date.now(),
      });
      const code = await sendSms(h(), social.phone!, "CHANNEL_UNBIND_PHONE", social.token);
      const r = await post(social.token, "/api/v3/unbind-phone", { passCode: code });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      const named = await register(h(), { phone: true, username: true, password: null });
      assert.equal((await profileOf(h(), named.token)).username, named.username);
      const code2 = await sendSms(h(), named.phone!, "CHANNEL_UNBIND_PHONE", named.token);
      const refused = await post(named.token, "/api/v3/unbind-phone", { passCode: code2 });
      assert.deepEqual([refused.statusCode, refused.apiCode], [422, 2217]);
    });

    it("unbind-email: clears the email with a CHANNEL_UNBIND_EMAIL code; without an email → 422/2219", async () => {
      const u = await register(h(), { phone: true, email: true });
      const passCode = await sendEmail(h(), u.email!, "CHANNEL_UNBIND_EMAIL", u.token);
      assert.equal((await post(u.token, "/api/v3/unbind-email", { passCode })).statusCode, 200);
      const me = await profileOf(h(), u.token);
      assert.deepEqual([me.email, me.emailVerified], [null, false]);
      const none = await post(u.token, "/api/v3/unbind-email", { passCode: "123456" });
      assert.deepEqual([none.statusCode, none.apiCode], [422, 2219]);
    });

    it("unbind-email: the user's last way to sign in → 422/2217", async () => {
      const u = await register(h(), { email: true, password: null });
      const passCode = await sendEmail(h(), u.email!, "CHANNEL_UNBIND_EMAIL", u.token);
      const r = await post(u.token, "/api/v3/unbind-email", { passCode });
      assert.deepEqual([r.statusCode, r.apiCode], [422, 2217]);
    });

    it("bind and unbind tell the user's addresses (the masked address in the text): a bind not the new address, an unbind the old one too", async () => {
      const outbox = h().ctx.outbox;
      const noticeTo = (to: string, purpose: string) => outbox.lastFor(to, { purpose })?.text ?? "";
      // Phone: the user has an email.
      const u = await register(h(), { email: true });
      const phone = newPhone();
      const maskedPhone = maskPhone(e164(phone));
      const bindCode = await sendSms(h(), phone, "CHANNEL_BIND_PHONE", u.token);
      assert.equal(
        (await post(u.token, "/api/v3/bind-phone", { phoneNumber: phone, passCode: bindCode })).statusCode,
        200,
      );
      assert.ok(noticeTo(u.email!, "phone_bound").includes(maskedPhone), "phone_bound to the email");
      assert.equal(outbox.lastFor(e164(phone), { purpose: "phone_bound" }), undefined);
      const unbindCode = await sendSms(h(), phone, "CHANNEL_UNBIND_PHONE", u.token);
      assert.equal((await post(u.token, "/api/v3/unbind-phone", { passCode: unbindCode })).statusCode, 200);
      for (const to of [u.email!, e164(phone)]) {
        assert.ok(noticeTo(to, "phone_unbound").includes(maskedPhone), `phone_unbound to ${to}`);
      }
      // Email: the user has a phone.
      const v = await register(h(), { phone: true });
      const email = newEmail();
      const bindEmailCode = await sendEmail(h(), email, "CHANNEL_BIND_EMAIL", v.token);
      assert.equal(
        (await post(v.token, "/api/v3/bind-email", { email, passCode: bindEmailCode })).statusCode,
        200,
      );
      assert.ok(
        noticeTo(e164(v.phone!), "email_bound").includes(maskEmail(email)),
        "email_bound to the phone",
      );
      assert.equal(outbox.lastFor(email, { purpose: "email_bound" }), undefined);
      const unbindEmailCode = await sendEmail(h(), email, "CHANNEL_UNBIND_EMAIL", v.token);
      assert.equal(
        (await post(v.token, "/api/v3/unbind-email", { passCode: unbindEmailCode })).statusCode,
        200,
      );
      for (const to of [e164(v.phone!), email]) {
        assert.ok(noticeTo(to, "email_unbound").includes(maskEmail(email)), `email_unbound to ${to}`);
      }
    });

    it("bind-phone and bind-email with two addresses at once → one binds, the other 422 already bound", async () => {
      const u = await register(h(), { username: true });
      const [p1, p2] = [newPhone(), newPhone()];
      const phoneCodes = [
        await sendSms(h(), p1, "CHANNEL_BIND_PHONE", u.token),
        await sendSms(h(), p2, "CHANNEL_BIND_PHONE", u.token),
      ];
      const phones = await Promise.all(
        [p1, p2].map((phoneNumber, i) =>
          post(u.token, "/api/v3/bind-phone", { phoneNumber, passCode: phoneCodes[i] }),
        ),
      );
      assert.deepEqual(
        phones.map((r) => [r.statusCode, r.apiCode]).sort(),
        [
          [200, undefined],
          [422, 2035],
        ],
        JSON.stringify(phones),
      );
      const won = phones[0]!.statusCode === 200 ? p1 : p2;
      assert.equal((await profileOf(h(), u.token)).phone, won);
      const [e1, e2] = [newEmail(), newEmail()];
      const emailCodes = [
        await sendEmail(h(), e1, "CHANNEL_BIND_EMAIL", u.token),
        await sendEmail(h(), e2, "CHANNEL_BIND_EMAIL", u.token),
      ];
      const emails = await Promise.all(
        [e1, e2].map((email, i) => post(u.token, "/api/v3/bind-email", { email, passCode: emailCodes[i] })),
      );
      assert.deepEqual(
        emails.map((r) => [r.statusCode, r.apiCode]).sort(),
        [
          [200, undefined],
          [422, 2200],
        ],
        JSON.stringify(emails),
      );
      assert.equal((await profileOf(h(), u.token)).email, emails[0]!.statusCode === 200 ? e1 : e2);
    });

    it("unbind phone and email at once, for a user with exactly those two → never both (one 2217)", async () => {
      const u = await register(h(), { phone: true, email: true, password: null });
      const phoneCode = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
      const emailCode = await sendEmail(h(), u.email!, "CHANNEL_UNBIND_EMAIL", u.token);
      const [a, b] = await Promise.all([
        post(u.token, "/api/v3/unbind-phone", { passCode: phoneCode }),
        post(u.token, "/api/v3/unbind-email", { passCode: emailCode }),
      ]);
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 422]);
      assert.equal([a, b].find((r) => r.statusCode === 422).apiCode, 2217);
      const me = await profileOf(h(), u.token);
      assert.ok(me.phone || me.email);
    });
  },
  { clock, config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
