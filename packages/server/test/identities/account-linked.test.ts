import assert from "node:assert/strict";
import { after, it } from "node:test";
import { apiErrors } from "@gatehouse/protocol";
import { textsFor } from "../../src/hosted/texts/index.js";
import type { Clock } from "../../src/lib/clock.js";
import { accountBrowser } from "../helpers/account.js";
import { signUpByEmail } from "../helpers/auth.js";
import { freshEmail } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { alertOf, FormBrowser } from "../helpers/pages.js";
import { listenUpstream, pathOf, signInUpstream, type UpstreamIdp } from "../helpers/upstream-idp.js";

/** Real time, shifted on demand: the upstream signs with the machine's clock. */
class ShiftClock implements Clock {
  offset = 0;
  now() {
    return Date.now() + this.offset;
  }
}
const clock = new ShiftClock();
const en = textsFor("en-US");
const EN = { "accept-language": "en-US" };
const password = "correct horse 7";

const identitiesOf = (h: Harness, userId: string) => h.ctx.repos.identities.listIdentitiesByUser(userId);

async function eventNames(h: Harness, userId: string): Promise<string[]> {
  const rows = await h.ctx.db.kysely
    .selectFrom("events")
    .select(["name"])
    .where("user_id", "=", userId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => r.name);
}

async function roundTripCount(h: Harness): Promise<number> {
  const r = await h.ctx.db.kysely
    .selectFrom("ext_idp_states")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The linked-accounts section of the page. */
function sectionOf(html: string): string {
  const m = /<section id="identities"[\s\S]*?<\/section>/.exec(html);
  assert.ok(m, "the page has the linked-accounts section");
  return m[0];
}

// The account page's linked accounts through inject, against a real upstream (docs/account-page.md §Linked accounts).
describeEachDialect(
  "account page: linked accounts through a real upstream OpenID Provider",
  (h) => {
    let upstream: UpstreamIdp;
    let corp = "";
    let corpIdp = "";
    const accounts: Record<string, Record<string, unknown>> = {};

    after(async () => upstream?.close());

    /** Link through the account page: the button, the upstream as `login`, and back. Returns the callback's answer. */
    async function link(b: FormBrowser, login: string) {
      const started = await b.post("/account/identities/link", { connId: corp });
      assert.equal(started.statusCode, 303, started.body);
      const opened = await b.get(String(started.headers.location), EN);
      assert.equal(opened.statusCode, 303, opened.body);
      const to = String(opened.headers.location);
      assert.ok(to.startsWith(upstream.issuer), to);
      return b.get(pathOf(await signInUpstream(to, login)), EN);
    }

    it("setup: a provider and its connection, enabled for the application the account page signs in through", async () => {
      upstream = await listenUpstream();
      const idp = await mgmt(h(), "POST", "/api/v3/create-ext-idp", { body: { type: "oidc", name: "Corp" } });
      corpIdp = idp.data.id;
      const secret = "upstream-client-secret-0123456789";
      const conn = await mgmt(h(), "POST", "/api/v3/create-ext-idp-conn", {
        body: {
          extIdpId: corpIdp,
          type: "oidc",
          identifier: "corp",
          displayName: "Corp account",
          fields: { issuer: upstream.issuer, clientId: "gatehouse", clientSecret: secret },
        },
      });
      assert.equal(conn.statusCode, 200, JSON.stringify(conn));
      corp = conn.data.id;
      const on = await mgmt(h(), "POST", "/api/v3/change-ext-idp-conn-state", {
        body: { id: corp, enabled: true, appId: h().boot.appId },
      });
      assert.equal(on.statusCode, 200, JSON.stringify(on));
      Object.assign(accounts, {
        lena: { email: freshEmail("lena-upstream"), email_verified: true },
        mona: { email: freshEmail("mona-upstream"), email_verified: true },
        // No email, no phone: a user made from it has this identity as their only way in.
        solo: { name: "Solo" },
      });
      upstream.serve({
        clientId: "gatehouse",
        clientSecret: secret,
        redirectUris: [conn.data.callbackUrl],
        accounts,
      });
    });

    it("link: the round trip to the upstream comes back to the account page, which lists the account; user:link-account", async () => {
      const email = freshEmail("acct-link");
      const up = await signUpByEmail(h(), email, password);
      const userId = up.data.userId as string;
      const b = await accountBrowser(h(), email, password);
      const page = sectionOf((await b.get("/account", EN)).body);
      assert.match(page, /No account is linked/);
      assert.match(page, new RegExp(`name="connId" value="${corp}"`));
      const back = await link(b, "lena");
      assert.equal(back.statusCode, 303, back.body);
      assert.equal(
        back.headers.location,
        `${h().ctx.config.publicUrl}/account?done=accountLinked#identities`,
      );
      const shown = await b.get("/account?done=accountLinked", EN);
      assert.match(shown.body, /The account was linked/);
      const section = sectionOf(shown.body);
      assert.match(section, new RegExp(`<strong>Corp</strong> · ${String(accounts.lena?.email)}`));
      assert.match(section, new RegExp(`name="extIdpId" value="${corpIdp}"`));
      assert.doesNotMatch(section, /name="connId"/, "a linked provider is not offered again");
      assert.deepEqual(
        (await identitiesOf(h(), userId)).map((i) => i.user_id_in_idp),
        ["lena"],
      );
      assert.ok((await eventNames(h(), userId)).includes("user:link-account"));
    });

    it("link: the user deleted while the upstream round trip runs — refused as for a user gone, nothing linked", async () => {
      const email = freshEmail("acct-link-gone");
      const userId = (await signUpByEmail(h(), email, password)).data.userId as string;
      const b = await accountBrowser(h(), email, password);
      const users = h().ctx.repos.users;
      const read = users.findUserById;
      let back: Awaited<ReturnType<typeof link>>;
      try {
        const started = await b.post("/account/identities/link", { connId: corp });
        const opened = await b.get(String(started.headers.location), EN);
        const returned = pathOf(await signInUpstream(String(opened.headers.location), "mona"));
        // Deleted right after the callback reads the user it links to (docs/behaviour-and-errors.md §1.10).
        users.findUserById = async (...args) => {
          const row = await read(...args);
          if (args[1] === userId) {
            users.findUserById = read;
            await h().ctx.repos.userAdmin.deleteUsers(h().boot.userPoolId, [userId]);
          }
          return row;
        };
        back = await b.get(returned, EN);
      } finally {
        users.findUserById = read;
      }
      assert.equal(back.statusCode, 400, back.body);
      assert.equal(alertOf(back.body), en.errors.EXT_IDP_FAILED);
      assert.deepEqual(await identitiesOf(h(), userId), []);
    });

    it("link and unlink need a recent sign-in; unlink then takes the identity away with user:unlink-account", async () => {
      const email = freshEmail("acct-unlink");
      const up = await signUpByEmail(h(), email, password);
      const userId = up.data.userId as string;
      const b = await accountBrowser(h(), email, password);
      assert.equal((await link(b, "mona")).statusCode, 303);
      clock.offset = 11 * 60_000;
      try {
        const page = sectionOf((await b.get("/account", EN)).body);
        assert.doesNotMatch(page, /name="extIdpId"/, "the unlink button waits");
        const trips = await roundTripCount(h());
        const stale = await b.post("/account/identities/link", { connId: corp }, { headers: EN });
        assert.equal(stale.statusCode, 401);
        assert.equal(await roundTripCount(h()), trips, "no round trip prepared");
        const refused = await b.post("/account/identities/unlink", { extIdpId: corpIdp }, { headers: EN });
        assert.equal(refused.statusCode, 401);
        assert.equal((await identitiesOf(h(), userId)).length, 1, "nothing unlinked");
        const again = await b.post("/account/reauth", {
          method: "password",
          secret: password,
          section: "identities",
        });
        assert.equal(again.statusCode, 303, again.body);
        await b.get("/account", EN);
        const done = await b.post("/account/identities/unlink", { extIdpId: corpIdp });
        assert.equal(done.statusCode, 303, done.body);
        assert.equal(done.headers.location, "/account?done=accountUnlinked#identities");
      } finally {
        clock.offset = 0;
      }
      assert.equal((await identitiesOf(h(), userId)).length, 0);
      assert.ok((await eventNames(h(), userId)).includes("user:unlink-account"));
    });

    it("unlink is refused when the identity is the last way to sign in; nothing changes", async () => {
      // Signed in on the account page through the upstream: a new user with no email, phone or password.
      const b = new FormBrowser(h());
      const start = await b.get("/account");
      const signIn = String(start.headers.location);
      const button = await b.get(`${signIn}/ext-idp/${corp}`, EN);
      assert.equal(button.statusCode, 303, button.body);
      const back = await b.get(pathOf(await signInUpstream(String(button.headers.location), "solo")), EN);
      assert.equal(back.statusCode, 303, back.body);
      const resumed = await b.get(String(back.headers.location));
      assert.equal(resumed.headers.location, "/account");
      const identity = await h().ctx.repos.identities.findIdentityInIdp(
        h().boot.userPoolId,
        corpIdp,
        "solo",
        "generic",
      );
      assert.ok(identity);
      await b.get("/account", EN);
      const refused = await b.post("/account/identities/unlink", { extIdpId: corpIdp }, { headers: EN });
      assert.equal(refused.statusCode, apiErrors.LAST_LOGIN_METHOD.statusCode);
      assert.ok(sectionOf(refused.body).includes('role="alert"'), "the section says why");
      assert.equal((await identitiesOf(h(), identity.user_id)).length, 1);
      assert.ok(!(await eventNames(h(), identity.user_id)).includes("user:unlink-account"));
    });

    it("hostile links: an unknown connection, a connection not enabled for the application, no CSRF token: refused, no round trip", async () => {
      const email = freshEmail("acct-hostile");
      await signUpByEmail(h(), email, password);
      const b = await accountBrowser(h(), email, password);
      const trips = await roundTripCount(h());
      const unknown = await b.post("/account/identities/link", { connId: "no-such-conn" }, { headers: EN });
      assert.equal(unknown.statusCode, 404);
      const other = await mgmt(h(), "POST", "/api/v3/create-ext-idp-conn", {
        body: {
          extIdpId: corpIdp,
          type: "oidc",
          identifier: "corp-off",
          displayName: "Not here",
          fields: { issuer: upstream.issuer, clientId: "gatehouse", clientSecret: "s" },
        },
      });
      assert.equal(other.statusCode, 200, JSON.stringify(other));
      const page = sectionOf((await b.get("/account", EN)).body);
      assert.doesNotMatch(page, new RegExp(other.data.id), "not offered");
      const off = await b.post("/account/identities/link", { connId: other.data.id }, { headers: EN });
      assert.equal(off.statusCode, 403);
      assert.equal(alertOf(sectionOf(off.body)), en.errors.EXT_IDP_CONN_DISABLED);
      const noToken = await b.post("/account/identities/link", { connId: corp }, { csrf: null });
      assert.equal(noToken.statusCode, 403);
      assert.equal(await roundTripCount(h()), trips);
    });
  },
  { clock, config: { idpAllowHttp: true } },
);
