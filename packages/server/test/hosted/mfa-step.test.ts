import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { freshPhone } from "../helpers/codes.js";
import { describeEachDialect } from "../helpers/harness.js";
import { enableFactors, enrolOtp, totpAt } from "../helpers/mfa.js";
import { alertOf, FormBrowser, loginInteraction, pagesClient } from "../helpers/pages.js";
import { type Account, as, e164, register } from "../helpers/profile.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 8, 0, 0));
const RESUME = /^\/oidc\/auth\/resume\/[A-Za-z0-9_-]{22}$/;
const STEP = /^\/interaction\/[A-Za-z0-9_-]{22}\/mfa$/;

/** The otpauth URI a page shows (its link), entities decoded. */
function otpauthOf(html: string): string {
  const m = /<a href="(otpauth:[^"]+)" id="otpauth">/.exec(html);
  assert.ok(m?.[1], "the page shows the otpauth URI");
  return m[1]
    .replace(/&amp;/g, "&")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');
}

function recoveryCodeOf(html: string): string | undefined {
  return /<code class="secret" id="recovery-code">([^<]+)<\/code>/.exec(html)?.[1];
}

// The hosted sign-in's second factor through forms, as a browser without JavaScript sends them
// (docs/hosted-pages.md §Second factor, docs/mfa.md §The hosted sign-in step).
describeEachDialect(
  "hosted pages: the MFA step",
  (h) => {
    let otpUser: Account;
    let otp: { uri: string; recoveryCode: string };

    async function sessionOf(b: FormBrowser) {
      return h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
    }

    /** A browser past the password: at the MFA step. */
    async function atStep(user: Account, over: Parameters<typeof loginInteraction>[1] = {}) {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US", ...over });
      await b.get(`/interaction/${uid}`);
      const res = await b.post(`/interaction/${uid}/password`, {
        account: user.email as string,
        password: user.password as string,
      });
      return { b, uid, res };
    }

    it("setup: factors enabled, a user with an authenticator", async () => {
      await pagesClient(h());
      await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
      otpUser = await register(h(), { email: true });
      otp = await enrolOtp(h(), otpUser.token);
    });

    it("password then TOTP: no session before the step; a wrong code re-shows it; the right one signs in with amr pwd otp mfa", async () => {
      clock.advance(30_000);
      const { b, uid, res } = await atStep(otpUser);
      assert.equal(res.statusCode, 303, res.body);
      assert.match(String(res.headers.location), STEP);
      assert.ok(!b.cookies.has("gatehouse_session"), "no browser session before the second factor");
      const page = await b.get(`/interaction/${uid}/mfa`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<label for="code">6-digit code from your authenticator app<\/label>/);
      assert.match(page.body, /Recovery code/);
      assert.doesNotMatch(page.body, /SMS code/, "only the user's factors are offered");
      assert.match(
        String(page.headers["content-security-policy"]),
        /form-action 'self' https:\/\/rp\.example\.com/,
      );

      const wrong = await b.post(`/interaction/${uid}/mfa/verify`, { kind: "otp", code: "000000" });
      assert.equal(wrong.statusCode, 400);
      assert.match(alertOf(wrong.body) ?? "", /The code is wrong/);
      assert.ok(!b.cookies.has("gatehouse_session"));

      const code = totpAt(otp.uri, clock.now());
      const right = await b.post(`/interaction/${uid}/mfa/verify`, { kind: "otp", code });
      assert.equal(right.statusCode, 303, right.body);
      assert.match(String(right.headers.location), RESUME);
      assert.deepEqual((await sessionOf(b))?.amr, ["pwd", "otp", "mfa"]);

      // Replayed in another sign-in: the time step is spent.
      const other = await atStep(otpUser);
      const replay = await other.b.post(`/interaction/${other.uid}/mfa/verify`, { kind: "otp", code });
      assert.equal(replay.statusCode, 400);
      assert.ok(!other.b.cookies.has("gatehouse_session"));

      const history = await h()
        .ctx.db.kysely.selectFrom("login_history")
        .select(["method", "success"])
        .where("user_id", "=", otpUser.userId)
        .where("method", "=", "mfa:otp")
        .execute();
      assert.equal(history.filter((r) => Number(r.success) === 1).length, 1);
      assert.equal(history.filter((r) => Number(r.success) === 0).length, 2);
    });

    it("the recovery code completes the step, the new one is shown once, then the sign-in goes on", async () => {
      const { b, uid } = await atStep(otpUser);
      const before = otp.recoveryCode;
      const used = await b.post(`/interaction/${uid}/mfa/verify`, {
        kind: "recovery",
        code: otp.recoveryCode,
      });
      assert.equal(used.statusCode, 200, used.body);
      const fresh = recoveryCodeOf(used.body);
      assert.match(fresh ?? "", /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);
      assert.notEqual(fresh, otp.recoveryCode);
      assert.ok(!b.cookies.has("gatehouse_session"));
      // Reloaded: the code is not shown again.
      const reload = await b.get(`/interaction/${uid}/mfa`);
      assert.equal(recoveryCodeOf(reload.body), undefined);
      const go = await b.post(`/interaction/${uid}/mfa/continue`, {});
      assert.equal(go.statusCode, 303, go.body);
      assert.deepEqual((await sessionOf(b))?.amr, ["pwd", "otp", "mfa"]);
      otp.recoveryCode = fresh as string;

      const again = await atStep(otpUser);
      const old = await again.b.post(`/interaction/${again.uid}/mfa/verify`, {
        kind: "recovery",
        code: before,
      });
      assert.equal(old.statusCode, 400);
      assert.match(alertOf(old.body) ?? "", /recovery code is wrong/);
    });

    it("SMS code first, then the email factor (its own channel)", async () => {
      const u = await register(h(), { phone: true, email: true });
      const call = as(h(), u.token);
      const sent = await call("POST", "/api/v3/send-enroll-factor-request", {
        factorType: "EMAIL",
        profile: { email: u.email },
      });
      assert.equal(sent.statusCode, 200, JSON.stringify(sent));
      const enrolCode = h().ctx.outbox.lastCodeFor(u.email as string, "CHANNEL_BIND_MFA");
      const enrolled = await call("POST", "/api/v3/enroll-factor", {
        factorType: "EMAIL",
        enrollmentToken: sent.data.enrollmentToken,
        enrollmentData: { passCode: enrolCode },
      });
      assert.equal(enrolled.statusCode, 200, JSON.stringify(enrolled));
      clock.advance(120_000);

      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      await b.get(`/interaction/${uid}?method=sms`);
      await b.post(`/interaction/${uid}/send-code`, { channel: "sms", phone: u.phone as string });
      const smsCode = h().ctx.outbox.lastCodeFor(e164(u.phone as string), "CHANNEL_LOGIN");
      assert.ok(smsCode);
      const first = await b.post(`/interaction/${uid}/code`, {
        channel: "sms",
        phone: u.phone as string,
        code: smsCode,
      });
      assert.equal(first.statusCode, 303, first.body);
      assert.match(String(first.headers.location), STEP);

      const step = await b.get(`/interaction/${uid}/mfa?factor=email`);
      assert.match(step.body, /We send a code to [^@<]+\*\*\*@example\.com/);
      const send = await b.post(`/interaction/${uid}/mfa/send`, { kind: "email" });
      assert.equal(send.statusCode, 200, send.body);
      assert.match(send.body, /class="notice" role="status">A code was sent to .+ another in 60 seconds/);
      // The sign-in code's channel is not the factor's: the SMS code proves nothing here.
      const crossed = await b.post(`/interaction/${uid}/mfa/verify`, { kind: "email", code: smsCode });
      assert.equal(crossed.statusCode, 400);
      const cooldown = await b.post(`/interaction/${uid}/mfa/send`, { kind: "email" });
      assert.equal(cooldown.statusCode, 429);
      assert.match(alertOf(cooldown.body) ?? "", /Wait a little/);
      const code = h().ctx.outbox.lastCodeFor(u.email as string, "CHANNEL_VERIFY_MFA");
      assert.ok(code);
      const done = await b.post(`/interaction/${uid}/mfa/verify`, { kind: "email", code });
      assert.equal(done.statusCode, 303, done.body);
      assert.deepEqual((await sessionOf(b))?.amr, ["sms", "email", "mfa"]);
      // A factor the user does not have is refused, not sent.
      const other = await atStep(otpUser);
      const noSms = await other.b.post(`/interaction/${other.uid}/mfa/send`, { kind: "sms" });
      assert.equal(noSms.statusCode, 404);
    });

    it("acr_values=mfa and no factor: forced enrolment of an authenticator, the recovery code shown once", async () => {
      const u = await register(h(), { email: true });
      const { b, uid, res } = await atStep(u, { acrValues: ["mfa"] });
      assert.equal(res.statusCode, 303, res.body);
      const choose = await b.get(`/interaction/${uid}/mfa`);
      assert.match(choose.body, /Set up two-step verification/);
      const started = await b.post(`/interaction/${uid}/mfa/enrol/start`, { factor: "otp" });
      assert.equal(started.statusCode, 303, started.body);
      const page = await b.get(String(started.headers.location));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<img class="qr" src="data:image\/png;base64,/);
      const uri = otpauthOf(page.body);
      const secret = new URL(uri).searchParams.get("secret") as string;
      assert.match(page.body, new RegExp(secret.slice(0, 4)));
      // Kept sealed in the interaction, never in clear.
      const row = await h().ctx.repos.oidc.findInteraction(uid);
      assert.ok(row?.mfa_step && !row.mfa_step.includes(secret));

      const wrong = await b.post(`/interaction/${uid}/mfa/enrol`, { code: "000000" });
      assert.equal(wrong.statusCode, 400);
      assert.match(alertOf(wrong.body) ?? "", /The code is wrong/);
      assert.equal(otpauthOf(wrong.body), uri, "the same secret stays on the page");
      const ok = await b.post(`/interaction/${uid}/mfa/enrol`, { code: totpAt(uri, clock.now()) });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.match(recoveryCodeOf(ok.body) ?? "", /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);
      assert.ok(!b.cookies.has("gatehouse_session"));
      const go = await b.post(`/interaction/${uid}/mfa/continue`, {});
      assert.equal(go.statusCode, 303, go.body);
      assert.deepEqual((await sessionOf(b))?.amr, ["pwd", "otp", "mfa"]);
      const factors = await as(h(), u.token)("GET", "/api/v3/list-enrolled-factors");
      assert.deepEqual(
        factors.data.map((f: { factorType: string }) => f.factorType),
        ["OTP"],
      );
    });

    it("acr_values=mfa and no factor: enrolment by email code", async () => {
      const u = await register(h(), { email: true });
      const { b, uid } = await atStep(u, { acrValues: ["mfa"] });
      const started = await b.post(`/interaction/${uid}/mfa/enrol/start`, {
        factor: "email",
        email: u.email as string,
      });
      assert.equal(started.statusCode, 303, started.body);
      const page = await b.get(String(started.headers.location));
      assert.match(page.body, /Enter the code sent to/);
      const code = h().ctx.outbox.lastCodeFor(u.email as string, "CHANNEL_BIND_MFA");
      assert.ok(code);
      const ok = await b.post(`/interaction/${uid}/mfa/enrol`, { code });
      assert.equal(ok.statusCode, 303, ok.body);
      assert.deepEqual((await sessionOf(b))?.amr, ["pwd", "email", "mfa"]);
    });

    it("no factor and no acr_values: signed in at once, amr pwd", async () => {
      const u = await register(h(), { email: true });
      const { b, res } = await atStep(u);
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers.location), RESUME);
      assert.deepEqual((await sessionOf(b))?.amr, ["pwd"]);
    });

    it("required policy: a user with no factor enrols one without acr_values; off: nobody is asked unless the RP asks", async () => {
      await enableFactors(h(), ["OTP", "SMS", "EMAIL"], { policy: "required" });
      try {
        const u = await register(h(), { email: true });
        const { b, uid, res } = await atStep(u);
        assert.match(String(res.headers.location), STEP);
        const page = await b.get(`/interaction/${uid}/mfa`);
        assert.match(page.body, /Set up two-step verification/);
        assert.match(page.body, /aria-label="Second factors to set up"/);
        const none = await b.post(`/interaction/${uid}/mfa/verify`, { kind: "otp", code: "123456" });
        assert.equal(none.statusCode, 400, "the step is enrolment, not a proof");

        // Sign-up is a first factor like the others: the new account enrols before it is signed in.
        const nb = new FormBrowser(h());
        const fresh = await loginInteraction(h(), { uiLocales: "en-US" });
        await nb.get(`/interaction/${fresh}/sign-up?method=phone-code`);
        const phone = freshPhone();
        await nb.post(`/interaction/${fresh}/sign-up/send-code`, { method: "phone-code", phone });
        const code = h().ctx.outbox.lastCodeFor(phone, "CHANNEL_REGISTER") as string;
        const up = await nb.post(`/interaction/${fresh}/sign-up`, { method: "phone-code", phone, code });
        assert.equal(up.statusCode, 303, up.body);
        assert.match(String(up.headers.location), STEP);
        assert.ok(!nb.cookies.has("gatehouse_session"));

        await enableFactors(h(), ["OTP", "SMS", "EMAIL"], { policy: "off" });
        clock.advance(30_000);
        const off = await atStep(otpUser);
        assert.match(String(off.res.headers.location), RESUME, "off: the enrolled user is not asked");
        const asked = await atStep(otpUser, { acrValues: ["mfa"] });
        assert.match(String(asked.res.headers.location), STEP, "acr_values=mfa asks even when off");
      } finally {
        await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
      }
    });

    it("remember this device: a signed cookie skips the step next time, for this user only, until it expires", async () => {
      await enableFactors(h(), ["OTP", "SMS", "EMAIL"], { rememberDeviceDays: 30 });
      try {
        const u = await register(h(), { email: true });
        const factor = await enrolOtp(h(), u.token);
        clock.advance(30_000);
        const { b, uid } = await atStep(u);
        const page = await b.get(`/interaction/${uid}/mfa`);
        assert.match(
          page.body,
          /<input id="remember" name="remember" type="checkbox" value="on"> Remember this device for 30 days/,
        );
        const done = await b.post(`/interaction/${uid}/mfa/verify`, {
          kind: "otp",
          code: totpAt(factor.uri, clock.now()),
          remember: "on",
        });
        assert.equal(done.statusCode, 303, done.body);
        const set = done.cookies.find((c) => c.name === "gatehouse_mfa_device");
        assert.ok(set?.httpOnly);
        assert.equal(set?.maxAge, 30 * 86_400);
        assert.equal(set?.sameSite, "Lax");
        const remembered = b.cookies.get("gatehouse_mfa_device") as string;

        /** A new sign-in of `user` in a browser holding `cookie`. */
        const withCookie = async (user: Account, cookie: string, over = {}) => {
          const nb = new FormBrowser(h());
          nb.cookies.set("gatehouse_mfa_device", cookie);
          const id = await loginInteraction(h(), over);
          await nb.get(`/interaction/${id}`);
          const r = await nb.post(`/interaction/${id}/password`, {
            account: user.email as string,
            password: user.password as string,
          });
          return { location: String(r.headers.location), session: await sessionOf(nb) };
        };
        const skipped = await withCookie(u, remembered);
        assert.match(skipped.location, RESUME, "the remembered device skips the step");
        assert.deepEqual(skipped.session?.amr, ["pwd"], "and says so: no second factor in amr");
        assert.match((await withCookie(otpUser, remembered)).location, STEP, "another user is asked");
        const [body, sig] = remembered.split(".");
        const forged = Buffer.from(
          JSON.stringify({
            ...JSON.parse(Buffer.from(body as string, "base64url").toString()),
            u: otpUser.userId,
          }),
        ).toString("base64url");
        assert.match(
          (await withCookie(otpUser, `${forged}.${sig}`)).location,
          STEP,
          "a tampered cookie is ignored",
        );
        assert.match((await withCookie(u, "garbage")).location, STEP);
        assert.match(
          (await withCookie(u, remembered, { acrValues: ["mfa"] })).location,
          STEP,
          "acr_values=mfa still asks",
        );
        clock.advance(31 * 86_400_000);
        assert.match((await withCookie(u, remembered)).location, STEP, "an expired cookie is ignored");
      } finally {
        await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
      }
    });

    it("hostile: no interaction, no first factor, the wrong step, bad forms — clear pages, nothing changes", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      await b.get(`/interaction/${uid}`);
      const unknown = await b.post(`/interaction/${"x".repeat(22)}/mfa/verify`, { kind: "otp", code: "1" });
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.body, /expired or was already used/);
      const noFirst = await b.post(`/interaction/${uid}/mfa/verify`, { kind: "otp", code: "123456" });
      assert.equal(noFirst.statusCode, 400);
      assert.match(noFirst.body, /This step of the sign-in is not open/);
      const getNoFirst = await b.get(`/interaction/${uid}/mfa`);
      assert.equal(getNoFirst.statusCode, 303);
      assert.equal(getNoFirst.headers.location, `/interaction/${uid}`);

      const { b: s, uid: at } = await atStep(otpUser);
      const wrongStep = await s.post(`/interaction/${at}/mfa/enrol`, { code: "123456" });
      assert.equal(wrongStep.statusCode, 400);
      assert.match(wrongStep.body, /This step of the sign-in is not open/);
      const early = await s.post(`/interaction/${at}/mfa/continue`, {});
      assert.equal(early.statusCode, 400);
      const badKind = await s.post(`/interaction/${at}/mfa/verify`, { kind: "face", code: "1" });
      assert.equal(badKind.statusCode, 400);
      const long = await s.post(`/interaction/${at}/mfa/verify`, { kind: "otp", code: "1".repeat(65) });
      assert.equal(long.statusCode, 400);
      const twice = await s.post(`/interaction/${at}/mfa/verify`, { kind: ["otp", "sms"], code: "1" });
      assert.equal(twice.statusCode, 400);
      const noCsrf = await s.post(
        `/interaction/${at}/mfa/verify`,
        { kind: "otp", code: "1" },
        { csrf: null },
      );
      assert.equal(noCsrf.statusCode, 403);
      const json = await h().inject({
        method: "POST",
        url: `/interaction/${at}/mfa/verify`,
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ kind: "otp", code: "1" }),
      });
      assert.equal(json.statusCode, 415);
      for (const r of [unknown, noFirst, wrongStep, badKind, long, twice, noCsrf, json])
        assert.doesNotMatch(r.body, /at .*\.ts:\d+|stack/i);
      assert.ok(!s.cookies.has("gatehouse_session"));
    });

    it("too many wrong codes lock the step, as the service says", async () => {
      const u = await register(h(), { email: true });
      const factor = await enrolOtp(h(), u.token);
      const { b, uid } = await atStep(u);
      for (let i = 0; i < 5; i++)
        assert.equal(
          (await b.post(`/interaction/${uid}/mfa/verify`, { kind: "otp", code: "000000" })).statusCode,
          400,
        );
      clock.advance(30_000);
      const locked = await b.post(`/interaction/${uid}/mfa/verify`, {
        kind: "otp",
        code: totpAt(factor.uri, clock.now()),
      });
      assert.equal(locked.statusCode, 403);
      assert.match(alertOf(locked.body) ?? "", /Too many wrong codes/);
      assert.ok(!b.cookies.has("gatehouse_session"));
    });
  },
  { clock },
);
