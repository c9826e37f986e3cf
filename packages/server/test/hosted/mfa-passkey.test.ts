import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { enableFactors, enrolOtp } from "../helpers/mfa.js";
import { alertOf, FormBrowser, loginInteraction, pagesClient } from "../helpers/pages.js";
import { type Account, as, register } from "../helpers/profile.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 9, 0, 0));
const RESUME = /^\/oidc\/auth\/resume\/[A-Za-z0-9_-]{22}$/;
const STEP = /^\/interaction\/[A-Za-z0-9_-]{22}\/mfa$/;

/** The options and ticket a page was rendered with (HTML-escaped JSON in a data attribute). */
function passkeyForm(html: string): {
  ticket: string;
  options: { challenge: string; rpId: string; allowCredentials?: { id: string }[] };
} {
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const raw = /data-options="([^"]+)"/.exec(html)?.[1] ?? "";
  assert.ok(ticket && raw, "the page carries a passkey form");
  const options = JSON.parse(
    raw
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&"),
  );
  return { ticket, options };
}

async function addPasskey(h: Harness, user: Account, soft: SoftAuthenticator): Promise<void> {
  const call = as(h, user.token);
  const o = await call("GET", "/api/v3/webauthn/registration");
  const done = await call("POST", "/api/v3/webauthn/registration", {
    ticket: o.data.ticket,
    registrationCredential: soft.create(o.data.registrationOptions, h.ctx.passkeys.rp.origins[0] as string),
  });
  assert.equal(done.statusCode, 200, JSON.stringify(done));
}

// A passkey as the second factor of the hosted sign-in (docs/mfa.md §Passkey as a second factor);
// the browser's part by a software authenticator (the Chromium test drives a real one).
describeEachDialect(
  "hosted pages: a passkey as the second factor",
  (h) => {
    const origin = () => h().ctx.passkeys.rp.origins[0] as string;

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

    const sessionOf = (b: FormBrowser) =>
      h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));

    it("setup: factors enabled", async () => {
      await pagesClient(h());
      await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
    });

    it("password, then the user's passkey: amr pwd hwk mfa, counted in the history, mfa:verified", async () => {
      const u = await register(h(), { email: true });
      await enrolOtp(h(), u.token);
      const soft = new SoftAuthenticator();
      await addPasskey(h(), u, soft);
      const { b, uid, res } = await atStep(u);
      assert.match(String(res.headers.location), STEP);
      const step = await b.get(`/interaction/${uid}/mfa`);
      assert.match(step.body, /<a href="[^"]*\/mfa\?factor=passkey[^"]*">Passkey<\/a>/);
      const page = await b.get(`/interaction/${uid}/mfa?factor=passkey`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /id="passkey-button" class="primary">Use a passkey<\/button>/);
      const csp = String(page.headers["content-security-policy"]);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9_-]+'/);
      const { ticket, options } = passkeyForm(page.body);
      assert.deepEqual(
        options.allowCredentials?.map((c) => c.id),
        [soft.id],
        "the options name only this user's passkeys",
      );
      assert.ok(!b.cookies.has("gatehouse_session"));
      const credential = JSON.stringify(soft.get(options, origin()));
      const done = await b.post(`/interaction/${uid}/mfa/passkey`, { ticket, credential });
      assert.equal(done.statusCode, 303, done.body);
      assert.match(String(done.headers.location), RESUME);
      const session = await sessionOf(b);
      assert.equal(session?.userId, u.userId);
      assert.deepEqual(session?.amr, ["pwd", "hwk", "mfa"]);

      const history = await h()
        .ctx.db.kysely.selectFrom("login_history")
        .select(["success"])
        .where("user_id", "=", u.userId)
        .where("method", "=", "mfa:passkey")
        .execute();
      assert.deepEqual(
        history.map((r) => Number(r.success)),
        [1],
      );
      const events = await h()
        .ctx.repos.db.selectFrom("events")
        .select("data")
        .where("name", "=", "mfa:verified")
        .where("user_id", "=", u.userId)
        .execute();
      assert.ok(
        events.some((e) => JSON.parse(String(e.data)).data.factorType === "PASSKEY"),
        JSON.stringify(events),
      );

      // The same assertion again, in another sign-in: its ticket is spent.
      const other = await atStep(u);
      const replay = await other.b.post(`/interaction/${other.uid}/mfa/passkey`, { ticket, credential });
      assert.equal(replay.statusCode, 400, replay.body);
      assert.match(alertOf(replay.body) ?? "", /expired/);
      assert.ok(!other.b.cookies.has("gatehouse_session"));
    });

    it("required policy, no factor but a passkey: the passkey proves the step, no enrolment is asked", async () => {
      await enableFactors(h(), ["OTP"], { policy: "required" });
      try {
        const u = await register(h(), { email: true });
        const soft = new SoftAuthenticator();
        await addPasskey(h(), u, soft);
        const { b, uid } = await atStep(u);
        const page = await b.get(`/interaction/${uid}/mfa`);
        assert.doesNotMatch(page.body, /Set up/, "no enrolment");
        const { ticket, options } = passkeyForm(page.body);
        const done = await b.post(`/interaction/${uid}/mfa/passkey`, {
          ticket,
          credential: JSON.stringify(soft.get(options, origin())),
          remember: "on",
        });
        assert.equal(done.statusCode, 303, done.body);
        assert.deepEqual((await sessionOf(b))?.amr, ["pwd", "hwk", "mfa"]);
      } finally {
        await enableFactors(h(), ["OTP", "SMS", "EMAIL"]);
      }
    });

    it("a user without a passkey is not offered one, and a posted passkey is refused", async () => {
      const u = await register(h(), { email: true });
      await enrolOtp(h(), u.token);
      const { b, uid } = await atStep(u);
      const page = await b.get(`/interaction/${uid}/mfa?factor=passkey`);
      assert.doesNotMatch(page.body, /passkey-form/);
      assert.doesNotMatch(page.body, /factor=passkey/);
      const soft = new SoftAuthenticator();
      const refused = await b.post(`/interaction/${uid}/mfa/passkey`, {
        ticket: "x",
        credential: JSON.stringify(soft.get({ challenge: "AAAA", rpId: "localhost" }, origin())),
      });
      assert.equal(refused.statusCode, 404, refused.body);
      assert.ok(!b.cookies.has("gatehouse_session"));
    });

    it("hostile: another user's passkey, garbage, the sign-in page's ticket — clear pages, no session; wrong ones count toward the lock", async () => {
      const u = await register(h(), { email: true });
      await enrolOtp(h(), u.token);
      const mine = new SoftAuthenticator();
      await addPasskey(h(), u, mine);
      const stranger = await register(h(), { email: true });
      const theirs = new SoftAuthenticator();
      await addPasskey(h(), stranger, theirs);

      const { b, uid } = await atStep(u);
      const { ticket, options } = passkeyForm((await b.get(`/interaction/${uid}/mfa?factor=passkey`)).body);
      const cases: [string, Record<string, string>, number, RegExp][] = [
        ["not JSON", { ticket, credential: "{nope" }, 400, /could not be checked/],
        ["not a credential", { ticket, credential: '{"id":1}' }, 400, /could not be checked/],
        [
          "another user's passkey",
          { ticket, credential: JSON.stringify(theirs.get(options, origin())) },
          403,
          /not registered here/,
        ],
        [
          "no ticket",
          { ticket: "", credential: JSON.stringify(mine.get(options, origin())) },
          400,
          /expired/,
        ],
      ];
      for (const [name, form, status, alert] of cases) {
        const res = await b.post(`/interaction/${uid}/mfa/passkey`, form);
        assert.equal(res.statusCode, status, `${name}: ${res.body.slice(0, 300)}`);
        assert.match(alertOf(res.body) ?? "", alert, name);
        assert.ok(!b.cookies.has("gatehouse_session"), name);
      }
      // A first-factor ticket (the sign-in page's) is no second-factor ticket.
      const signInPage = await new FormBrowser(h()).get(`/interaction/${await loginInteraction(h())}`);
      const first = passkeyForm(signInPage.body);
      const crossed = await b.post(`/interaction/${uid}/mfa/passkey`, {
        ticket: first.ticket,
        credential: JSON.stringify(mine.get(first.options, origin())),
      });
      assert.equal(crossed.statusCode, 400, crossed.body);
      assert.ok(!b.cookies.has("gatehouse_session"));

      // Two wrong assertions and the first-factor ticket counted: three more wrong ones lock the step.
      const wrong = await h()
        .ctx.db.kysely.selectFrom("login_history")
        .select("success")
        .where("user_id", "=", u.userId)
        .where("method", "=", "mfa:passkey")
        .execute();
      assert.equal(wrong.length, 3, "malformed posts are not attempts; checked ones are");
      for (let i = 0; i < 2; i++)
        await b.post(`/interaction/${uid}/mfa/verify`, { kind: "otp", code: "000000" });
      const fresh = passkeyForm((await b.get(`/interaction/${uid}/mfa?factor=passkey`)).body);
      const locked = await b.post(`/interaction/${uid}/mfa/passkey`, {
        ticket: fresh.ticket,
        credential: JSON.stringify(mine.get(fresh.options, origin())),
      });
      assert.equal(locked.statusCode, 403, locked.body);
      assert.match(alertOf(locked.body) ?? "", /Too many wrong codes/);
      assert.ok(!b.cookies.has("gatehouse_session"));
    });

    it("a passkey that was the first factor (no user verification) is not offered again as the second", async () => {
      const u = await register(h(), { email: true });
      await enrolOtp(h(), u.token);
      const soft = new SoftAuthenticator({ userVerified: false });
      await addPasskey(h(), u, soft);
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      const { ticket, options } = passkeyForm((await b.get(`/interaction/${uid}`)).body);
      const first = await b.post(`/interaction/${uid}/passkey`, {
        ticket,
        credential: JSON.stringify(soft.get(options, origin())),
      });
      assert.match(String(first.headers.location), STEP, first.body);
      const page = await b.get(`/interaction/${uid}/mfa`);
      assert.doesNotMatch(page.body, /factor=passkey|passkey-form/);
      assert.match(page.body, /authenticator app/);
    });
  },
  { clock },
);
