import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { accountBrowser } from "../helpers/account.js";
import { signUpByEmail } from "../helpers/auth.js";
import { freshEmail } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { enableFactors, enrolOtp, totpAt } from "../helpers/mfa.js";
import { alertOf, FormBrowser } from "../helpers/pages.js";
import { register } from "../helpers/profile.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));
const MINUTE = 60_000;
const password = "correct horse 7";

/** The registration options and ticket a page was rendered with (HTML-escaped JSON in a data attribute). */
function registerForm(html: string) {
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const raw = /data-options="([^"]+)"/.exec(html)?.[1] ?? "";
  const options = JSON.parse(
    raw
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&"),
  ) as {
    challenge: string;
    rp: { id?: string };
    user: { id: string };
  };
  return { ticket, options };
}

async function signedIn(h: Harness, prefix: string) {
  const email = freshEmail(prefix);
  const up = await signUpByEmail(h, email, password);
  assert.equal(up.statusCode, 200, JSON.stringify(up));
  const b = await accountBrowser(h, email, password);
  return { b, email, userId: up.data.userId as string };
}

/** Signs in on the hosted page with the password, in a browser whose script says it can make a passkey. */
async function passwordSignIn(h: Harness, email: string, capable = true) {
  const b = new FormBrowser(h);
  const uid = String((await b.get("/account")).headers.location);
  await b.get(`${uid}?method=password`);
  const res = await b.post(`${uid}/password`, {
    account: email,
    password,
    ...(capable ? { webauthn: "platform" } : {}),
  });
  assert.equal(res.statusCode, 303, res.body);
  return { b, uid, res };
}

// The account page's passkeys and the prompt after a password sign-in, through inject; the
// browser's part by a software authenticator (docs/passkeys.md).
describeEachDialect(
  "passkeys on the account page and the prompt after a password sign-in",
  (h) => {
    const origin = () => h().ctx.passkeys.rp.origins[0] as string;
    const passkeysOf = (userId: string) =>
      h().ctx.passkeys.credentials.list({ poolId: h().boot.userPoolId, userId, origin: NO_REQUEST });
    const eventsOf = async (name: string, userId: string) =>
      (await h().ctx.repos.events.listEventsByPool(h().boot.userPoolId, 1_000_000)).filter(
        (e) => e.name === name && e.user_id === userId,
      );

    it("account page: add a passkey (named), listed with when it was added; rename; remove — each with its event", async () => {
      const { b, userId } = await signedIn(h(), "pk-section");
      const page = await b.get("/account", { "accept-language": "en" });
      assert.match(page.body, /<section id="passkeys"/);
      assert.match(page.body, /No passkey yet\./);
      assert.match(
        page.body,
        /<form method="post" action="\/account\/passkeys\/add" id="passkeys-add" data-passkey-register/,
      );
      assert.match(page.body, /<script src="\/assets\/v-[0-9a-f]{12}\/passkey-add\.js" defer><\/script>/);
      const { ticket, options } = registerForm(page.body);
      assert.equal(options.rp.id, "localhost");
      const soft = new SoftAuthenticator();
      const added = await b.post("/account/passkeys/add", {
        name: "MacBook",
        ticket,
        credential: JSON.stringify(soft.create(options, origin())),
      });
      assert.equal(added.statusCode, 303, added.body);
      assert.match(String(added.headers.location), /^\/account\?done=passkeyAdded#passkeys$/);
      const [pk] = await passkeysOf(userId);
      assert.equal(pk?.name, "MacBook");
      assert.equal((await eventsOf("user:passkey-added", userId)).length, 1);
      const listed = await b.get(String(added.headers.location), { "accept-language": "en" });
      assert.match(listed.body, /Your passkey was added/);
      assert.match(listed.body, /<strong>MacBook<\/strong>/);
      assert.match(listed.body, /Added [^·<]+ UTC · not used yet · on one device/);
      // Every form has its own id (re-authentication returns to it), and no id is used twice.
      const ids = [...listed.body.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(
        ids.filter((id, i) => ids.indexOf(id) !== i),
        [],
        "no id twice on the page",
      );

      // The same ticket twice: spent.
      const again = await b.post(
        "/account/passkeys/add",
        {
          name: "Again",
          ticket,
          credential: JSON.stringify(new SoftAuthenticator().create(options, origin())),
        },
        { headers: { "accept-language": "en" } },
      );
      assert.equal(again.statusCode, 400);
      assert.match(alertOf(again.body) ?? "", /expired/);

      const renamed = await b.post("/account/passkeys/rename", {
        passkeyId: pk?.id ?? "",
        name: "Work laptop",
      });
      assert.equal(renamed.statusCode, 303, renamed.body);
      assert.equal((await passkeysOf(userId))[0]?.name, "Work laptop");
      assert.equal((await eventsOf("user:passkey-updated", userId)).length, 1);
      const blank = await b.post("/account/passkeys/rename", { passkeyId: pk?.id ?? "", name: "  " });
      assert.equal(blank.statusCode, 400);
      assert.match(
        blank.body,
        new RegExp(`id="passkey-name-${pk?.id}-error"`),
        "the error sits by that passkey's field",
      );
      assert.equal((await passkeysOf(userId))[0]?.name, "Work laptop");

      const removed = await b.post("/account/passkeys/remove", { passkeyId: pk?.id ?? "" });
      assert.equal(removed.statusCode, 303, removed.body);
      assert.deepEqual(await passkeysOf(userId), []);
      assert.equal((await eventsOf("user:passkey-removed", userId)).length, 1);
    });

    it("account page: hostile and stale posts change nothing — another user's passkey, a foreign ticket, junk, an old sign-in", async () => {
      const { b, userId } = await signedIn(h(), "pk-hostile");
      const other = await signedIn(h(), "pk-other");
      // The other user adds a passkey; this one tries to rename and remove it.
      const op = await other.b.get("/account");
      const of = registerForm(op.body);
      const soft = new SoftAuthenticator();
      assert.equal(
        (
          await other.b.post("/account/passkeys/add", {
            ticket: of.ticket,
            credential: JSON.stringify(soft.create(of.options, origin())),
          })
        ).statusCode,
        303,
      );
      const [theirs] = await passkeysOf(other.userId);
      assert.equal(theirs?.name, "Passkey", "no name: the default");
      const rename = await b.post("/account/passkeys/rename", { passkeyId: theirs?.id ?? "", name: "Mine" });
      assert.equal(rename.statusCode, 404);
      assert.equal(
        (await b.post("/account/passkeys/remove", { passkeyId: theirs?.id ?? "" })).statusCode,
        404,
      );
      assert.equal((await passkeysOf(other.userId))[0]?.name, "Passkey");

      // A ticket shown to another browser session (the other user's page) does not add a passkey here.
      const op2 = await other.b.get("/account");
      const foreign = registerForm(op2.body);
      const stolen = await b.post("/account/passkeys/add", {
        ticket: foreign.ticket,
        credential: JSON.stringify(new SoftAuthenticator().create(foreign.options, origin())),
      });
      assert.equal(stolen.statusCode, 400);
      const mine = registerForm((await b.get("/account")).body);
      for (const credential of [
        "{nope",
        '{"id":1}',
        JSON.stringify(new SoftAuthenticator().create(mine.options, "https://evil.example")),
      ]) {
        const res = await b.post("/account/passkeys/add", { ticket: mine.ticket, credential });
        assert.equal(res.statusCode, 400, credential);
        assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
      }
      assert.equal(
        (await b.post("/account/passkeys/add", { credential: "x".repeat(20_000) })).statusCode,
        400,
      );
      assert.equal((await b.post("/account/passkeys/add", { ticket: ["a", "b"] })).statusCode, 400);
      assert.equal(
        (await b.post("/account/passkeys/remove", { passkeyId: "x" }, { csrf: null })).statusCode,
        403,
      );
      assert.deepEqual(await passkeysOf(userId), []);

      // An old sign-in: the section waits behind "confirm it is you"; a post anyway changes nothing.
      const fresh = registerForm((await b.get("/account")).body);
      clock.advance(11 * MINUTE);
      const page = await b.get("/account", { "accept-language": "en" });
      assert.doesNotMatch(page.body, /id="passkeys-add"/);
      const stale = await b.post("/account/passkeys/add", {
        ticket: fresh.ticket,
        credential: JSON.stringify(new SoftAuthenticator().create(fresh.options, origin())),
      });
      assert.equal(stale.statusCode, 401);
      assert.match(stale.body, /id="reauth-password"/);
      const formId = `passkeys-remove-${theirs?.id}`;
      const staleRemove = await other.b.post("/account/passkeys/remove", {
        passkeyId: theirs?.id ?? "",
        form: formId,
      });
      assert.equal(staleRemove.statusCode, 401);
      assert.deepEqual(await passkeysOf(userId), []);
      assert.equal((await passkeysOf(other.userId)).length, 1);

      // Re-authentication returns to the very form that was posted, not only to its section.
      assert.match(staleRemove.body, new RegExp(`<input type="hidden" name="form" value="${formId}">`));
      const back = await other.b.post("/account/reauth", {
        method: "password",
        secret: password,
        section: "passkeys",
        form: formId,
      });
      assert.equal(back.statusCode, 303, back.body);
      assert.equal(back.headers.location, `/account?done=reauthenticated#${formId}`);
      const there = await other.b.get(String(back.headers.location));
      assert.match(
        there.body,
        new RegExp(`<form method="post" action="/account/passkeys/remove" class="inline" id="${formId}">`),
      );
      // A form of another section, or not an id at all, is no place to return to.
      clock.advance(11 * MINUTE);
      const foreignForm = await other.b.post("/account/reauth", {
        method: "password",
        secret: password,
        section: "passkeys",
        form: "profile-save",
      });
      assert.equal(foreignForm.headers.location, "/account?done=reauthenticated#passkeys");
      const junk = await other.b.post("/account/reauth", {
        method: "password",
        secret: password,
        section: "passkeys",
        form: 'x"><script>',
      });
      assert.equal(junk.statusCode, 400);
    });

    it("prompt: after a password sign-in in a capable browser; adding one ends the sign-in; not asked again", async () => {
      const email = freshEmail("pk-prompt");
      const up = await signUpByEmail(h(), email, password);
      const userId = up.data.userId as string;
      const { b, uid, res } = await passwordSignIn(h(), email);
      assert.equal(res.headers.location, `${uid}/passkey-prompt`);
      assert.equal(
        b.cookies.get("gatehouse_session"),
        undefined,
        "not signed in before the prompt is answered",
      );
      const page = await b.get(`${uid}/passkey-prompt`, { "accept-language": "en" });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Sign in faster next time/);
      assert.match(String(page.headers["content-security-policy"]), /script-src 'self'/);
      const { ticket } = registerForm(page.body);
      // A bad answer shows the prompt again with the error, and a new ticket.
      const bad = await b.post(`${uid}/passkey-prompt`, { ticket, credential: "{nope", name: "Phone" });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /id="passkey-prompt-name"[^>]*value="Phone"/);
      const next = registerForm(bad.body);
      assert.notEqual(next.ticket, ticket);
      const done = await b.post(`${uid}/passkey-prompt`, {
        ticket: next.ticket,
        name: "Phone",
        credential: JSON.stringify(new SoftAuthenticator().create(next.options, origin())),
      });
      assert.equal(done.statusCode, 303, done.body);
      assert.match(String(done.headers.location), /^\/oidc\/auth\/resume\//);
      assert.ok(b.cookies.get("gatehouse_session"));
      assert.equal((await passkeysOf(userId))[0]?.name, "Phone");
      // Spent with the interaction: the prompt is gone.
      assert.notEqual((await b.get(`${uid}/passkey-prompt`)).statusCode, 200);
      // A user with a passkey is not prompted.
      const later = await passwordSignIn(h(), email);
      assert.match(String(later.res.headers.location), /^\/oidc\/auth\/resume\//);
    });

    it("prompt: 'not now' hides it for 30 days, 'don't ask again' for good; never without a capable browser", async () => {
      const email = freshEmail("pk-later");
      await signUpByEmail(h(), email, password);
      const noWebauthn = await passwordSignIn(h(), email, false);
      assert.match(
        String(noWebauthn.res.headers.location),
        /^\/oidc\/auth\/resume\//,
        "no WebAuthn: no prompt",
      );

      const first = await passwordSignIn(h(), email);
      await first.b.get(`${first.uid}/passkey-prompt`);
      const hostile = await first.b.post(`${first.uid}/passkey-prompt/skip`, { answer: "forever" });
      assert.equal(hostile.statusCode, 400);
      const later = await first.b.post(`${first.uid}/passkey-prompt/skip`, { answer: "later" });
      assert.equal(later.statusCode, 303, later.body);
      assert.match(String(later.headers.location), /^\/oidc\/auth\/resume\//);
      assert.ok(first.b.cookies.get("gatehouse_session"));

      const soon = await passwordSignIn(h(), email);
      assert.match(String(soon.res.headers.location), /^\/oidc\/auth\/resume\//, "snoozed");
      clock.advance(31 * 24 * 60 * MINUTE);
      const month = await passwordSignIn(h(), email);
      assert.equal(month.res.headers.location, `${month.uid}/passkey-prompt`, "asked again after 30 days");
      await month.b.get(`${month.uid}/passkey-prompt`);
      const never = await month.b.post(`${month.uid}/passkey-prompt/skip`, { answer: "never" });
      assert.equal(never.statusCode, 303, never.body);
      clock.advance(400 * 24 * 60 * MINUTE);
      const year = await passwordSignIn(h(), email);
      assert.match(String(year.res.headers.location), /^\/oidc\/auth\/resume\//, "never again");
    });

    it("prompt: no page without its step; no CSRF token, no change", async () => {
      const email = freshEmail("pk-nostep");
      await signUpByEmail(h(), email, password);
      const b = new FormBrowser(h());
      const uid = String((await b.get("/account")).headers.location);
      await b.get(`${uid}?method=password`);
      assert.equal((await b.get(`${uid}/passkey-prompt`)).statusCode, 400, "no first factor yet");
      assert.equal((await b.post(`${uid}/passkey-prompt/skip`, { answer: "never" })).statusCode, 400);
      const signed = await passwordSignIn(h(), email);
      await signed.b.get(`${signed.uid}/passkey-prompt`);
      const noCsrf = await signed.b.post(
        `${signed.uid}/passkey-prompt/skip`,
        { answer: "never" },
        { csrf: null },
      );
      assert.equal(noCsrf.statusCode, 403);
      const still = await passwordSignIn(h(), email);
      assert.equal(still.res.headers.location, `${still.uid}/passkey-prompt`, "nothing was remembered");
    });

    // Last: it enables second factors for the pool.
    it("prompt: after the second factor, and the sign-in keeps it (amr pwd otp mfa)", async () => {
      await enableFactors(h(), ["OTP"]);
      const u = await register(h(), { email: true });
      const otp = await enrolOtp(h(), u.token);
      clock.advance(60_000);
      const b = new FormBrowser(h());
      const uid = String((await b.get("/account")).headers.location);
      await b.get(uid);
      const first = await b.post(`${uid}/password`, {
        account: u.email as string,
        password: u.password as string,
        webauthn: "platform",
      });
      assert.match(String(first.headers.location), /\/mfa$/);
      const second = await b.post(`${uid}/mfa/verify`, { kind: "otp", code: totpAt(otp.uri, clock.now()) });
      assert.equal(second.statusCode, 303, second.body);
      assert.equal(second.headers.location, `${uid}/passkey-prompt`);
      // The MFA page of this interaction now leads to the prompt; its forms refuse the step.
      assert.equal((await b.get(`${uid}/mfa`)).headers.location, `${uid}/passkey-prompt`);
      await b.get(`${uid}/passkey-prompt`);
      const skipped = await b.post(`${uid}/passkey-prompt/skip`, { answer: "later" });
      assert.equal(skipped.statusCode, 303, skipped.body);
      const session = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
      assert.deepEqual(session?.amr, ["pwd", "otp", "mfa"]);
    });
  },
  { clock },
);
