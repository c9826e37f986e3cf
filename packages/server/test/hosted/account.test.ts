import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { accountBrowser, fieldError } from "../helpers/account.js";
import { createApp, signInByPassword, signUpByEmail } from "../helpers/auth.js";
import { freshEmail, freshPhone, sendSmsCode } from "../helpers/codes.js";
import { describeEachDialect } from "../helpers/harness.js";
import { enableFactors, totpAt } from "../helpers/mfa.js";
import { alertOf, FormBrowser } from "../helpers/pages.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

const clock = new FakeClock();
const MINUTE = 60_000;
const password = "correct horse 7";

/** A user signed up by email and password, with a browser signed in on the account page. */
async function signedIn(h: Parameters<typeof accountBrowser>[0], prefix: string) {
  const email = freshEmail(prefix);
  const up = await signUpByEmail(h, email, password);
  assert.equal(up.statusCode, 200, JSON.stringify(up));
  const b = await accountBrowser(h, email, password);
  return { b, email, userId: up.data.userId as string };
}

// The account page through inject: what a browser without JavaScript gets (docs/account-page.md).
describeEachDialect(
  "account page: forms, refusals, re-authentication",
  (h) => {
    const user = (id: string) => h().ctx.repos.users.findUserById(h().boot.userPoolId, id);

    it("no browser session: /account signs in on the hosted pages and comes back; a strict CSP with our script only", async () => {
      const { b } = await signedIn(h(), "acct-page");
      const page = await b.get("/account", { "accept-language": "en" });
      assert.equal(page.statusCode, 200);
      const csp = String(page.headers["content-security-policy"]);
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(page.headers["cache-control"], "no-store");
      for (const id of ["profile", "phone", "email", "password", "mfa", "sessions", "history", "delete"])
        assert.match(page.body, new RegExp(`<section id="${id}"`));
      assert.match(page.body, /<label for="profile-nickname">Nickname<\/label>/);
      assert.match(page.body, /<script src="\/assets\/v-[0-9a-f]{12}\/account\.js" defer><\/script>/);
      assert.ok(!/<script>/.test(page.body), "no inline script");
      const zh = await b.get("/account?ui_locales=zh-CN");
      assert.match(zh.body, /<html lang="zh-CN">/);
      assert.match(zh.body, /<h1>我的账号<\/h1>/);
      assert.match(zh.body, /action="\/account\/profile\/save\?ui_locales=zh-CN"/, "forms keep the language");
      // ?app_id= of the pool: the page speaks for that application, and its forms keep it.
      const other = await createApp(h(), "client_secret_post");
      const named = await b.get(`/account?app_id=${other.appId}`);
      assert.match(named.body, new RegExp(`action="/account/sign-out\\?app_id=${other.appId}"`));
      assert.match(named.body, new RegExp(`action="/account/profile/save\\?app_id=${other.appId}"`));
    });

    it("profile: saved through update-profile; a value the API refuses is shown next to its field and changes nothing", async () => {
      const { b, userId } = await signedIn(h(), "acct-profile");
      const ok = await b.post("/account/profile/save", { nickname: "Ann", city: "Berlin", gender: "F" });
      assert.equal(ok.statusCode, 303, ok.body);
      assert.match(String(ok.headers.location), /^\/account\?done=profileSaved#profile$/);
      assert.equal((await user(userId))?.nickname, "Ann");
      const back = await b.get(String(ok.headers.location), { "accept-language": "en" });
      assert.match(back.body, /Your profile was saved/);

      const bad = await b.post(
        "/account/profile/save",
        { nickname: "Bob", gender: "X" },
        { headers: { "accept-language": "en" } },
      );
      assert.equal(bad.statusCode, 200);
      assert.equal(fieldError(bad.body, "profile-gender"), "This value is not valid.");
      assert.match(bad.body, /id="profile-nickname"[^>]*value="Bob"/, "what was typed is kept");
      assert.equal((await user(userId))?.nickname, "Ann", "nothing changed");

      // Another user's username: the service's USERNAME_TAKEN, next to the username field.
      await h().api("POST", "/api/v3/signup", {
        connection: "PASSWORD",
        passwordPayload: { username: `taken${process.pid}`, password },
      });
      const taken = await b.post(
        "/account/profile/save",
        { username: `taken${process.pid}` },
        { headers: { "accept-language": "en" } },
      );
      assert.equal(taken.statusCode, 409);
      assert.ok(fieldError(taken.body, "profile-username"));
    });

    it("change phone: codes to the current and the new number, confirmed; the old number hears of it", async () => {
      const phone = freshPhone();
      const up = await h().api("POST", "/api/v3/signup", {
        connection: "PASSCODE",
        passCodePayload: { phone, passCode: await sendSmsCode(h(), phone, "CHANNEL_REGISTER") },
      });
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      const userId = up.data.userId as string;
      // A code-only account signs in by SMS on the hosted page.
      clock.advance(2 * MINUTE);
      const b = new FormBrowser(h());
      const uid = String((await b.get("/account")).headers.location);
      await b.get(`${uid}?method=sms`);
      await b.post(`${uid}/send-code`, { channel: "sms", phone });
      const login = await b.post(`${uid}/code`, {
        channel: "sms",
        phone,
        code: h().ctx.outbox.lastCodeFor(phone, "CHANNEL_LOGIN") ?? "",
      });
      assert.equal(login.statusCode, 303, login.body);
      await b.get(String(login.headers.location));
      const page = await b.get("/account");
      assert.match(page.body, new RegExp(`\\+86${phone}`));

      const next = freshPhone();
      const sentOld = await b.post("/account/phone/send-old", { phone: next });
      assert.equal(sentOld.statusCode, 200, sentOld.body);
      assert.match(sentOld.body, /data-cooldown="60"/, "the button counts its cooldown down");
      const oldCode = h().ctx.outbox.lastCodeFor(phone, "CHANNEL_UNBIND_PHONE");
      const sentNew = await b.post("/account/phone/send-new", { phone: next });
      assert.equal(sentNew.statusCode, 200, sentNew.body);
      assert.match(sentNew.body, new RegExp(`id="phone-new"[^>]*value="${next}"`));
      const newCode = h().ctx.outbox.lastCodeFor(next, "CHANNEL_BIND_PHONE");
      assert.ok(oldCode && newCode);

      // Without the old number's code: refused, nothing changes.
      const missing = await b.post("/account/phone/change", { phone: next, newCode });
      assert.equal(missing.statusCode, 400);
      assert.equal((await user(userId))?.phone, `+86${phone}`);

      const done = await b.post("/account/phone/change", { phone: next, oldCode, newCode });
      assert.equal(done.statusCode, 303, done.body);
      assert.equal((await user(userId))?.phone, `+86${next}`);
      assert.ok(
        h()
          .ctx.outbox.to(phone)
          .some((m) => !("code" in m && m.code)),
        "the old number gets the notice (no code)",
      );
    });

    it("change phone with verifyOldPhone off: only the new number's code", async () => {
      await patchPoolSettings(h(), { changePhoneStrategy: { verifyOldPhone: false } });
      try {
        const { b, userId } = await signedIn(h(), "acct-bind");
        // An email account binds a phone first, then changes it with one code.
        const phone = freshPhone();
        await b.get("/account");
        assert.equal((await b.post("/account/phone/send-bind", { phone })).statusCode, 200);
        const bound = await b.post("/account/phone/bind", {
          phone,
          code: h().ctx.outbox.lastCodeFor(phone, "CHANNEL_BIND_PHONE") ?? "",
        });
        assert.equal(bound.statusCode, 303, bound.body);
        const page = await b.get("/account");
        assert.doesNotMatch(page.body, /id="phone-old-code"/, "no field for the old number's code");
        const next = freshPhone();
        await b.post("/account/phone/send-new", { phone: next });
        const done = await b.post("/account/phone/change", {
          phone: next,
          newCode: h().ctx.outbox.lastCodeFor(next, "CHANNEL_BIND_PHONE") ?? "",
        });
        assert.equal(done.statusCode, 303, done.body);
        assert.equal((await user(userId))?.phone, `+86${next}`);
      } finally {
        await patchPoolSettings(h(), { changePhoneStrategy: { verifyOldPhone: true } });
      }
    });

    it("change email: codes to both addresses, confirmed", async () => {
      const { b, email, userId } = await signedIn(h(), "acct-email");
      const next = freshEmail("acct-email-new");
      await b.post("/account/email/send-old", { email: next });
      await b.post("/account/email/send-new", { email: next });
      const done = await b.post("/account/email/change", {
        email: next,
        oldCode: h().ctx.outbox.lastCodeFor(email, "CHANNEL_UPDATE_EMAIL") ?? "",
        newCode: h().ctx.outbox.lastCodeFor(next, "CHANNEL_UPDATE_EMAIL") ?? "",
      });
      assert.equal(done.statusCode, 303, done.body);
      assert.equal((await user(userId))?.email, next);
    });

    it("password: the old one is required and checked; then changed", async () => {
      const { b, email, userId } = await signedIn(h(), "acct-pw");
      const before = (await user(userId))?.password_hash;
      const wrong = await b.post(
        "/account/password/change",
        { oldPassword: "not it 123", newPassword: "a new one 42" },
        { headers: { "accept-language": "en" } },
      );
      assert.equal(wrong.statusCode, 403);
      assert.equal(fieldError(wrong.body, "password-old"), "The current password is wrong.");
      assert.equal((await user(userId))?.password_hash, before);
      const ok = await b.post("/account/password/change", {
        oldPassword: password,
        newPassword: "a new one 42",
      });
      assert.equal(ok.statusCode, 303, ok.body);
      const signIn = await signInByPassword(h(), { email, password: "a new one 42" });
      assert.equal(signIn.statusCode, 200);
      // The browser that changed it stays signed in.
      assert.equal((await b.get("/account")).statusCode, 200);
    });

    it("re-authentication: an old sign-in is asked for the password first, nothing changes until then", async () => {
      const { b, userId } = await signedIn(h(), "acct-reauth");
      clock.advance(11 * MINUTE);
      const page = await b.get("/account", { "accept-language": "en" });
      assert.match(page.body, /Confirm it is you before changing this/);
      assert.doesNotMatch(page.body, /name="oldPassword"/, "the password form waits");
      const before = (await user(userId))?.password_hash;
      const refused = await b.post(
        "/account/password/change",
        { oldPassword: password, newPassword: "fresh one 77" },
        { headers: { "accept-language": "en" } },
      );
      assert.equal(refused.statusCode, 401);
      assert.match(refused.body, /id="reauth-password"/);
      assert.equal((await user(userId))?.password_hash, before);

      const wrong = await b.post("/account/reauth", {
        method: "password",
        secret: "nope nope 1",
        section: "password",
      });
      assert.equal(wrong.statusCode, 403);
      const right = await b.post("/account/reauth", {
        method: "password",
        secret: password,
        section: "password",
      });
      assert.equal(right.statusCode, 303, right.body);
      assert.match(String(right.headers.location), /^\/account\?done=reauthenticated#password$/);
      const ok = await b.post("/account/password/change", {
        oldPassword: password,
        newPassword: "fresh one 77",
      });
      assert.equal(ok.statusCode, 303, ok.body);

      // The pool's setting decides how old is too old.
      await patchPoolSettings(h(), { accountReauthMaxAge: 3600 });
      try {
        clock.advance(30 * MINUTE);
        assert.doesNotMatch((await b.get("/account")).body, /Confirm it is you before/);
      } finally {
        await patchPoolSettings(h(), { accountReauthMaxAge: 600 });
      }
    });

    it("re-authentication by a code for an account without a password", async () => {
      const phone = freshPhone();
      await h().api("POST", "/api/v3/signup", {
        connection: "PASSCODE",
        passCodePayload: { phone, passCode: await sendSmsCode(h(), phone, "CHANNEL_REGISTER") },
      });
      clock.advance(2 * MINUTE);
      const b = new FormBrowser(h());
      const uid = String((await b.get("/account")).headers.location);
      await b.get(`${uid}?method=sms`);
      await b.post(`${uid}/send-code`, { channel: "sms", phone });
      const login = await b.post(`${uid}/code`, {
        channel: "sms",
        phone,
        code: h().ctx.outbox.lastCodeFor(phone, "CHANNEL_LOGIN") ?? "",
      });
      await b.get(String(login.headers.location));
      clock.advance(11 * MINUTE);
      const ask = await b.get("/account/reauth?section=password");
      assert.doesNotMatch(ask.body, /id="reauth-password"/, "no password to ask for");
      const sent = await b.post("/account/reauth/send", { method: "sms", section: "password" });
      assert.equal(sent.statusCode, 200, sent.body);
      const ok = await b.post("/account/reauth", {
        method: "sms",
        secret: h().ctx.outbox.lastCodeFor(phone, "CHANNEL_LOGIN") ?? "",
        section: "password",
      });
      assert.equal(ok.statusCode, 303, ok.body);
      // Now a password can be set, without an old one.
      const set = await b.post("/account/password/change", { newPassword: "first one 55" });
      assert.equal(set.statusCode, 303, set.body);
    });

    it("MFA: enrol TOTP (QR, secret as text, a code), recovery code shown once; a new one; remove the factor", async () => {
      await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
      const { b, userId } = await signedIn(h(), "acct-mfa");
      const started = await b.post("/account/mfa/totp-start", {});
      assert.equal(started.statusCode, 200, started.body);
      assert.match(started.body, /<img class="qr" src="data:image\/png;base64,/);
      const secret = /id="totp-secret">([A-Z2-7]+)</.exec(started.body)?.[1];
      const token = /name="token" value="([^"]+)"/.exec(started.body)?.[1];
      assert.ok(secret && token);
      const uri = `otpauth://totp/x?secret=${secret}&algorithm=SHA1&digits=6&period=30`;
      const wrong = await b.post("/account/mfa/totp-confirm", { token, secret, code: "000000" });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /id="totp-secret"/, "the enrolment is offered again");
      const ok = await b.post("/account/mfa/totp-confirm", { token, secret, code: totpAt(uri, clock.now()) });
      assert.equal(ok.statusCode, 200, ok.body);
      const recovery = /id="recovery-code">([0-9a-f-]+)</.exec(ok.body)?.[1];
      assert.match(recovery ?? "", /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);
      const again = await b.get("/account");
      assert.ok(!again.body.includes(recovery as string), "shown once");
      const factors = await h().ctx.repos.mfaFactors.listUserFactors(h().boot.userPoolId, userId);
      assert.equal(factors.length, 1);

      const renewed = await b.post("/account/mfa/recovery-new", {});
      const fresh = /id="recovery-code">([0-9a-f-]+)</.exec(renewed.body)?.[1];
      assert.ok(fresh && fresh !== recovery);
      const subject = {
        poolId: h().boot.userPoolId,
        userId,
        settings: await h().ctx.auth.poolSettings(h().boot.userPoolId),
        meta: { ip: "127.0.0.1", userAgent: null, origin: NO_REQUEST },
      };
      await assert.rejects(
        h().ctx.mfa.verifyFactor(subject, { kind: "RECOVERY", code: recovery as string }),
        /recovery/i,
        "the old recovery code stops working",
      );

      // An old sign-in proves itself with the authenticator app too.
      clock.advance(11 * MINUTE);
      const ask = await b.get("/account/reauth?section=mfa");
      assert.match(ask.body, /id="reauth-otp"/);
      const byApp = await b.post("/account/reauth", {
        method: "otp",
        secret: totpAt(uri, clock.now()),
        section: "mfa",
      });
      assert.equal(byApp.statusCode, 303, byApp.body);

      const removed = await b.post("/account/mfa/remove", { factorId: factors[0]?.id ?? "" });
      assert.equal(removed.statusCode, 303, removed.body);
      assert.equal((await h().ctx.repos.mfaFactors.listUserFactors(h().boot.userPoolId, userId)).length, 0);
      // Someone else's factor id: not found, nothing removed.
      const other = await b.post("/account/mfa/remove", { factorId: "nope" });
      assert.equal(other.statusCode, 404);
    });

    it("sessions: every signed-in browser listed with its device; sign out another one, it is signed out at once", async () => {
      const { b, email } = await signedIn(h(), "acct-sessions");
      const other = await accountBrowser(h(), email, password);
      const page = await b.get("/account", { "accept-language": "en" });
      const ends = [...page.body.matchAll(/name="sessionId" value="([^"]+)"/g)].map((m) => m[1]);
      assert.equal(ends.length, 1, "the other browser can be signed out; this one is marked current");
      assert.match(page.body, /This browser/);
      const done = await b.post("/account/sessions/end", { sessionId: ends[0] ?? "" });
      assert.equal(done.statusCode, 303, done.body);
      const events = await h().ctx.repos.events.listEventsByPool(h().boot.userPoolId, 100_000);
      const kick = events
        .map((e) => JSON.parse(e.data) as { eventName: string; data: { sessionIds?: string[] } })
        .findLast((e) => e.eventName === "kick");
      assert.ok(kick?.data.sessionIds?.includes(ends[0] ?? ""), "a kick event names the ended session");
      assert.equal((await other.get("/account")).statusCode, 303, "the other browser must sign in again");
      assert.equal((await b.get("/account")).statusCode, 200);
      // Unknown or own session: refused.
      const unknown = await b.post("/account/sessions/end", { sessionId: "not-a-session" });
      assert.equal(unknown.statusCode, 404);
    });

    it("sessions: sign out all others", async () => {
      const { b, email } = await signedIn(h(), "acct-others");
      const two = await accountBrowser(h(), email, password);
      const three = await accountBrowser(h(), email, password);
      const done = await b.post("/account/sessions/end-others", {});
      assert.equal(done.statusCode, 303, done.body);
      assert.equal((await two.get("/account")).statusCode, 303);
      assert.equal((await three.get("/account")).statusCode, 303);
      assert.equal((await b.get("/account")).statusCode, 200);
    });

    it("login history: failures marked", async () => {
      const { b, email } = await signedIn(h(), "acct-history");
      const refused = await signInByPassword(h(), { email, password: "wrong wrong 1" });
      assert.notEqual(refused.statusCode, 200);
      const page = await b.get("/account", { "accept-language": "en" });
      assert.match(page.body, /<strong class="result-failed">Failed<\/strong>/);
      assert.match(page.body, /<strong class="result-ok">Succeeded<\/strong>/);
    });

    it("delete account: a code, the box ticked; afterwards the browser session is over", async () => {
      const { b, email, userId } = await signedIn(h(), "acct-delete");
      const sent = await b.post("/account/delete/send-code", { method: "email" });
      assert.equal(sent.statusCode, 200, sent.body);
      const code = h().ctx.outbox.lastCodeFor(email, "CHANNEL_DELETE_ACCOUNT") ?? "";
      const unticked = await b.post("/account/delete/confirm", { method: "email", code });
      assert.equal(unticked.statusCode, 400);
      assert.ok(await user(userId), "not deleted without the box");
      const done = await b.post("/account/delete/confirm", { method: "email", code, confirm: "yes" });
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(await user(userId), undefined);
      assert.ok(!b.cookies.has("gatehouse_session"), "the cookie is cleared");
      assert.equal((await b.get("/account")).statusCode, 303, "signed out");
    });

    it("sign out: this browser's session ends and its cookie is cleared", async () => {
      const { b } = await signedIn(h(), "acct-signout");
      const session = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
      assert.ok(session);
      const out = await b.post("/account/sign-out", {}, { headers: { "accept-language": "en" } });
      assert.equal(out.statusCode, 200, out.body);
      assert.match(out.body, /You are signed out in this browser/);
      assert.ok(!b.cookies.has("gatehouse_session"));
      assert.equal(await h().ctx.sessions.isActive(session.sessionId, session.userId), undefined);
      assert.equal((await b.get("/account")).statusCode, 303);
    });

    it("hostile posts: no CSRF token, no session, unknown action, repeated or unknown fields, JSON — an error page, nothing changed", async () => {
      const { b, userId } = await signedIn(h(), "acct-hostile");
      const noCsrf = await b.post("/account/profile/save", { nickname: "Mallory" }, { csrf: null });
      assert.equal(noCsrf.statusCode, 403);
      const nobody = new FormBrowser(h());
      await nobody.get(String((await nobody.get("/account")).headers.location)); // a page with a CSRF token
      const anon = await nobody.post("/account/profile/save", { nickname: "Mallory" });
      assert.equal(anon.statusCode, 401);
      assert.match(anon.body, /class="alert"/);
      assert.equal((await b.post("/account/profile/nope", {})).statusCode, 404);
      assert.equal((await b.post("/account/nope/save", {})).statusCode, 404);
      assert.equal((await b.post("/account/profile/constructor", {})).statusCode, 404);
      assert.equal((await b.post("/account/profile/save", { nickname: ["a", "b"] })).statusCode, 400);
      assert.equal((await b.post("/account/profile/save", { isAdmin: "1" })).statusCode, 400);
      assert.equal((await b.post("/account/profile/save", { nickname: "x".repeat(5000) })).statusCode, 400);
      const json = await h().inject({
        method: "POST",
        url: "/account/profile/save",
        headers: {
          "content-type": "application/json",
          cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        },
        payload: JSON.stringify({ nickname: "Mallory" }),
      });
      assert.equal(json.statusCode, 415);
      for (const res of [noCsrf, anon, json]) assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
      assert.notEqual((await user(userId))?.nickname, "Mallory");
      assert.ok(alertOf(anon.body), "the error page says what happened");
    });
  },
  { clock },
);
