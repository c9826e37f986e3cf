import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { enableFactors, enrolOtp } from "../helpers/mfa.js";
import { alertOf, FormBrowser, loginInteraction, pagesClient } from "../helpers/pages.js";
import { as, register } from "../helpers/profile.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));
const RESUME = /^\/oidc\/auth\/resume\/[A-Za-z0-9_-]{22}$/;

/** The options and ticket the sign-in page was rendered with (HTML-escaped JSON in a data attribute). */
function passkeyForm(html: string): { ticket: string; options: { challenge: string; rpId: string } } {
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const raw = /data-options="([^"]+)"/.exec(html)?.[1] ?? "";
  const options = JSON.parse(
    raw
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&"),
  );
  return { ticket, options };
}

async function userWithPasskey(h: Harness, soft: SoftAuthenticator) {
  const u = await register(h, { email: true });
  const call = as(h, u.token);
  const o = await call("GET", "/api/v3/webauthn/registration");
  const done = await call("POST", "/api/v3/webauthn/registration", {
    ticket: o.data.ticket,
    registrationCredential: soft.create(o.data.registrationOptions, h.ctx.passkeys.rp.origins[0] as string),
  });
  assert.equal(done.statusCode, 200, JSON.stringify(done));
  return u;
}

// The hosted page's passkey sign-in through inject (the browser's part by a software authenticator).
describeEachDialect(
  "passkeys: the hosted sign-in page",
  (h) => {
    it("the page's options and ticket sign in once; the interaction is answered with method passkey", async () => {
      await pagesClient(h());
      const soft = new SoftAuthenticator();
      const u = await userWithPasskey(h(), soft);
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const page = await b.get(`/interaction/${uid}`);
      assert.match(
        page.body,
        /<button type="button" id="passkey-button" class="secondary">Sign in with a passkey<\/button>/,
      );
      const { ticket, options } = passkeyForm(page.body);
      assert.equal(options.rpId, "localhost");
      const credential = JSON.stringify(soft.get(options, h().ctx.passkeys.rp.origins[0] as string));
      const res = await b.post(`/interaction/${uid}/passkey`, { ticket, credential });
      assert.equal(res.statusCode, 303, res.body);
      assert.match(String(res.headers.location), RESUME);
      const session = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
      assert.equal(session?.userId, u.userId);
      assert.equal(session?.method, "passkey");
    });

    it("hostile or wrong posts re-show the page with a clear alert, never a 500", async () => {
      const soft = new SoftAuthenticator();
      await userWithPasskey(h(), soft);
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      const page = await b.get(`/interaction/${uid}`);
      const { ticket, options } = passkeyForm(page.body);
      const origin = h().ctx.passkeys.rp.origins[0] as string;
      const cases: [string, Record<string, string>, number, RegExp][] = [
        ["not JSON", { ticket, credential: "{nope" }, 400, /could not be checked/],
        ["not a credential", { ticket, credential: '{"id":1}' }, 400, /could not be checked/],
        ["no ticket", { credential: JSON.stringify(soft.get(options, origin)) }, 400, /expired/],
        [
          "an unknown passkey",
          { ticket, credential: JSON.stringify(new SoftAuthenticator().get(options, origin)) },
          403,
          /not registered here/,
        ],
      ];
      for (const [what, fields, status, text] of cases) {
        const res = await b.post(`/interaction/${uid}/passkey`, fields);
        assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
        assert.match(alertOf(res.body) ?? "", text, what);
      }
      // A ticket of another interaction is refused (and the page shows a fresh one).
      const other = await loginInteraction(h());
      const otherPage = passkeyForm((await b.get(`/interaction/${other}`)).body);
      const res = await b.post(`/interaction/${uid}/passkey`, {
        ticket: otherPage.ticket,
        credential: JSON.stringify(soft.get(otherPage.options, origin)),
      });
      assert.equal(res.statusCode, 400);
      assert.match(alertOf(res.body) ?? "", /expired/);
      const noCsrf = await b.post(
        `/interaction/${uid}/passkey`,
        { ticket, credential: "{}" },
        { csrf: null },
      );
      assert.equal(noCsrf.statusCode, 403);
    });

    it("MFA: a passkey with user verification asks no second factor (amr hwk user mfa); without, the MFA step comes", async () => {
      await enableFactors(h(), ["OTP"]);
      const origin = h().ctx.passkeys.rp.origins[0] as string;
      const signInWith = async (soft: SoftAuthenticator) => {
        const b = new FormBrowser(h());
        const uid = await loginInteraction(h(), { uiLocales: "en-US" });
        const { ticket, options } = passkeyForm((await b.get(`/interaction/${uid}`)).body);
        const res = await b.post(`/interaction/${uid}/passkey`, {
          ticket,
          credential: JSON.stringify(soft.get(options, origin)),
        });
        return { b, uid, res };
      };
      for (const userVerified of [true, false]) {
        const soft = new SoftAuthenticator({ userVerified });
        const u = await userWithPasskey(h(), soft);
        await enrolOtp(h(), u.token);
        const { b, uid, res } = await signInWith(soft);
        assert.equal(res.statusCode, 303, res.body);
        if (userVerified) {
          assert.match(String(res.headers.location), RESUME);
          const session = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
          assert.deepEqual(session?.amr, ["hwk", "user", "mfa"]);
        } else {
          assert.equal(String(res.headers.location), `/interaction/${uid}/mfa`);
          assert.ok(!b.cookies.has("gatehouse_session"), "no session before the second factor");
        }
      }
    });
  },
  { clock },
);
