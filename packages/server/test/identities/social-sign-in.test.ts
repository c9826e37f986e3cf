import assert from "node:assert/strict";
import { after, it } from "node:test";
import { textsFor } from "../../src/hosted/texts/index.js";
import type { Clock } from "../../src/lib/clock.js";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import { createApp, signUpByEmail } from "../helpers/auth.js";
import { freshEmail } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { enableFactors } from "../helpers/mfa.js";
import {
  alertOf,
  authorizationRequest,
  FormBrowser,
  loginInteraction,
  pagesClient,
} from "../helpers/pages.js";
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
const RESUME = /^\/oidc\/auth\/resume\/[A-Za-z0-9_-]{22}$/;

async function counts(h: Harness) {
  const db = h.ctx.db.kysely;
  const one = async (table: "users" | "identities") =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { users: await one("users"), identities: await one("identities") };
}

const userByEmail = (h: Harness, email: string) => findUserByEmail(h.ctx.repos, h.boot.userPoolId, email);

/** The user's login history, newest first. */
function lastLogins(h: Harness, userId: string) {
  return h.ctx.db.kysely
    .selectFrom("login_history")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .execute();
}

/** What the last refused callback logged for the operator. */
function refusal(h: Harness): string {
  const line = h.logs.findLast((l) => l.includes("upstream sign-in refused"));
  return String(line && JSON.parse(line).detail);
}

async function eventNames(h: Harness, userId: string): Promise<string[]> {
  const rows = await h.ctx.db.kysely
    .selectFrom("events")
    .select(["name"])
    .where("user_id", "=", userId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => r.name);
}

// Sign-in through external identity providers on the hosted pages, against a real upstream
// (oidc-provider), following the redirects with cookie jars (docs/social-sign-in.md).
describeEachDialect(
  "social sign-in: hosted pages through a real upstream OpenID Provider",
  (h) => {
    let upstream: UpstreamIdp;
    const conn = { oidc: "", oauth2: "", saml: "" };
    const accounts: Record<string, Record<string, unknown>> = {};
    let existingEmail = "";
    const existingPassword = "correct horse 7";

    after(async () => upstream?.close());

    /** The sign-in page's button for a connection, followed: the upstream authorization URL. */
    async function start(b: FormBrowser, uid: string, connId: string): Promise<string> {
      const page = await b.get(`/interaction/${uid}`, EN);
      assert.equal(page.statusCode, 200);
      const href = `/interaction/${uid}/ext-idp/${connId}`;
      assert.ok(page.body.includes(`href="${href}"`), "the page shows the connection's button");
      const res = await b.get(href, EN);
      assert.equal(res.statusCode, 303, res.body);
      const to = String(res.headers.location);
      assert.ok(to.startsWith(upstream.issuer), to);
      return to;
    }

    /** A whole sign-in: page → upstream (as `login`) → callback; returns the callback's answer. */
    async function signIn(
      login: string,
      connId = conn.oidc,
      over: Parameters<typeof loginInteraction>[1] = {},
    ) {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), over);
      const back = await signInUpstream(await start(b, uid, connId), login);
      return { b, uid, res: await b.get(pathOf(back), EN) };
    }

    it("setup: providers, connections enabled for the application, an upstream with test accounts", async () => {
      upstream = await listenUpstream();
      const appId = await pagesClient(h());
      const idp = async (type: string, name: string) => {
        const r = await mgmt(h(), "POST", "/api/v3/create-ext-idp", { body: { type, name } });
        assert.equal(r.statusCode, 200, JSON.stringify(r));
        return r.data.id as string;
      };
      const connOf = async (extIdpId: string, type: string, identifier: string, fields: object) => {
        const r = await mgmt(h(), "POST", "/api/v3/create-ext-idp-conn", {
          body: { extIdpId, type, identifier, displayName: `${identifier} account`, fields },
        });
        assert.equal(r.statusCode, 200, JSON.stringify(r));
        const on = await mgmt(h(), "POST", "/api/v3/change-ext-idp-conn-state", {
          body: { id: r.data.id, enabled: true, appId },
        });
        assert.equal(on.statusCode, 200, JSON.stringify(on));
        return r.data as { id: string; callbackUrl: string; fields: Record<string, unknown> };
      };
      const secret = "upstream-client-secret-0123456789";
      const oidc = await connOf(await idp("oidc", "Corp"), "oidc", "corp", {
        issuer: upstream.issuer,
        clientId: "gatehouse",
        clientSecret: secret,
        scopes: "openid email profile",
      });
      assert.equal(oidc.fields.clientSecret, undefined, "the secret is never shown back");
      const oauth2 = await connOf(await idp("oauth2", "Plain OAuth"), "oauth", "plain", {
        authorizationEndpoint: `${upstream.issuer}/auth`,
        tokenEndpoint: `${upstream.issuer}/token`,
        userInfoEndpoint: `${upstream.issuer}/me`,
        clientId: "gatehouse",
        clientSecret: secret,
        scopes: "openid email",
        userMapping: { id: "sub", email: "email", emailVerified: "email_verified" },
      });
      const saml = await connOf(await idp("saml", "Old SSO"), "saml", "old-sso", { anything: "stored" });
      conn.oidc = oidc.id;
      conn.oauth2 = oauth2.id;
      conn.saml = saml.id;
      existingEmail = freshEmail("existing");
      const up = await signUpByEmail(h(), existingEmail, existingPassword);
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      Object.assign(accounts, {
        alice: { email: freshEmail("alice"), email_verified: true, name: "Alice Upstream", nickname: "ali" },
        carol: { email: freshEmail("carol"), email_verified: false, name: "Carol" },
        owner: { email: existingEmail, email_verified: true },
        dave: { email: freshEmail("dave"), email_verified: true },
        erin: { email: freshEmail("erin"), email_verified: true },
        frank: { email: freshEmail("frank"), email_verified: true },
        gina: { email: freshEmail("gina"), email_verified: true },
        ivy: { email: freshEmail("ivy"), email_verified: true },
      });
      upstream.serve({
        clientId: "gatehouse",
        clientSecret: secret,
        redirectUris: [oidc.callbackUrl, oauth2.callbackUrl],
        accounts,
      });
      const stored = await h().ctx.repos.extIdps.findConn(h().boot.userPoolId, oidc.id);
      assert.match(stored?.client_secret ?? "", /^v1:/, "sealed at rest");
      assert.ok(!stored?.fields.includes(secret));
    });

    it("a new upstream identity: a new user with the mapped profile, email verified as the upstream says, history naming the connection", async () => {
      const before = await counts(h());
      const { res } = await signIn("alice");
      assert.equal(res.statusCode, 303, res.body);
      assert.match(String(res.headers.location), RESUME);
      const after = await counts(h());
      assert.deepEqual([after.users - before.users, after.identities - before.identities], [1, 1]);
      const user = await userByEmail(h(), String(accounts.alice?.email));
      assert.ok(user);
      assert.equal(user.email_verified, 1);
      assert.equal(user.name, "Alice Upstream");
      assert.equal(user.nickname, "ali");
      const [identity] = await h().ctx.repos.identities.listIdentitiesByUser(user.id);
      assert.equal(identity?.user_id_in_idp, "alice");
      assert.equal(identity?.provider, "oidc");
      assert.deepEqual(JSON.parse(identity?.origin_conn_ids ?? "[]"), [conn.oidc]);
      const history = await lastLogins(h(), user.id);
      assert.equal(history[0]?.method, "oidc:ext-idp:corp");
      assert.equal(history[0]?.success, 1);
      // `login` comes with the application's code exchange (docs/oidc-provider.md §Login history).
      assert.deepEqual(await eventNames(h(), user.id), ["user:link-account", "register"]);
    });

    it("a returning identity signs the same user in, and nothing new is created", async () => {
      const before = await counts(h());
      const { res } = await signIn("alice");
      assert.equal(res.statusCode, 303, res.body);
      assert.match(String(res.headers.location), RESUME);
      assert.deepEqual(await counts(h()), before);
    });

    it("an email the upstream does not say is verified is stored unverified", async () => {
      const { res } = await signIn("carol");
      assert.equal(res.statusCode, 303, res.body);
      const user = await userByEmail(h(), String(accounts.carol?.email));
      assert.equal(user?.email_verified, 0);
    });

    it("an existing account's email: never linked silently; its owner signs in first, then the identity is linked", async () => {
      const before = await counts(h());
      const { b, uid, res } = await signIn("owner");
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, `/interaction/${uid}`);
      assert.deepEqual(await counts(h()), before, "nothing linked, nobody created");
      const page = await b.get(`/interaction/${uid}?method=password`, EN);
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(existingEmail), "the page names the account to sign in to");
      // Someone else's page (another browser) shows nothing and links nothing.
      const other = new FormBrowser(h());
      assert.ok(!(await other.get(`/interaction/${uid}?method=password`, EN)).body.includes(existingEmail));
      const done = await b.post(`/interaction/${uid}/password`, {
        account: existingEmail,
        password: existingPassword,
      });
      assert.equal(done.statusCode, 303, done.body);
      assert.match(String(done.headers.location), RESUME);
      const owner = await userByEmail(h(), existingEmail);
      const linked = await h().ctx.repos.identities.listIdentitiesByUser(owner?.id ?? "");
      assert.deepEqual(
        linked.map((i) => i.user_id_in_idp),
        ["owner"],
      );
      assert.ok((await eventNames(h(), owner?.id ?? "")).includes("user:link-account"));
      // Next time the upstream account signs the owner in directly.
      const again = await signIn("owner");
      assert.match(String(again.res.headers.location), RESUME);
    });

    it("an existing account's email: its owner deleted as the waiting identity is linked — the sign-in's error, nothing linked", async () => {
      const email = accounts.ivy?.email as string;
      const userId = (await signUpByEmail(h(), email, existingPassword)).data.userId as string;
      const { b, uid, res } = await signIn("ivy");
      assert.equal(res.headers.location, `/interaction/${uid}`, res.body);
      await b.get(`/interaction/${uid}?method=password`, EN);
      // Deleted right after the sign-in took the waiting identity, before it is linked
      // (docs/behaviour-and-errors.md §1.10).
      const states = h().ctx.repos.extIdpStates;
      const clear = states.clearPending;
      states.clearPending = async (...args) => {
        const cleared = await clear(...args);
        states.clearPending = clear;
        await h().ctx.repos.userAdmin.deleteUsers(h().boot.userPoolId, [userId]);
        return cleared;
      };
      let done: Awaited<ReturnType<FormBrowser["post"]>>;
      try {
        done = await b.post(
          `/interaction/${uid}/password`,
          { account: email, password: existingPassword },
          { headers: EN },
        );
      } finally {
        states.clearPending = clear;
      }
      assert.equal(done.statusCode, 404, done.body);
      assert.equal(alertOf(done.body), en.errors.OTHER);
      assert.equal(b.cookies.has("gatehouse_session"), false);
      assert.deepEqual(await h().ctx.repos.identities.listIdentitiesByUser(userId), []);
    });

    it("the upstream refuses (access_denied): a clear page, nothing created", async () => {
      const before = await counts(h());
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const back = await signInUpstream(await start(b, uid, conn.oidc), "dave", { abort: true });
      assert.match(back, /error=access_denied/);
      const res = await b.get(pathOf(back), EN);
      assert.equal(res.statusCode, 400);
      assert.equal(alertOf(res.body), en.errors.EXT_IDP_DENIED);
      assert.deepEqual(await counts(h()), before);
    });

    it("a bad state, a replayed callback, a callback in another browser: each refused, nothing created", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const back = await signInUpstream(await start(b, uid, conn.oidc), "erin");
      const before = await counts(h());
      const forged = new URL(back);
      forged.searchParams.set("state", "forged-state-value");
      const bad = await b.get(pathOf(forged.href), EN);
      assert.equal(bad.statusCode, 400);
      assert.equal(alertOf(bad.body), en.errors.EXT_IDP_STATE);
      const elsewhere = await new FormBrowser(h()).get(pathOf(back), EN);
      assert.equal(elsewhere.statusCode, 400, "another browser cannot finish it");
      assert.deepEqual(await counts(h()), before);
      const first = await b.get(pathOf(back), EN);
      assert.equal(first.statusCode, 303, first.body);
      const afterFirst = await counts(h());
      const replay = await b.get(pathOf(back), EN);
      assert.equal(replay.statusCode, 400);
      assert.equal(alertOf(replay.body), en.errors.EXT_IDP_STATE);
      assert.deepEqual(await counts(h()), afterFirst);
      const hostile = await b.get(`/ext-idp/${conn.oidc}/callback?state=${"x".repeat(5000)}`, EN);
      assert.equal(hostile.statusCode, 400);
    });

    it("an ID token with the wrong nonce: refused, nothing created", async () => {
      const before = await counts(h());
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const url = new URL(await start(b, uid, conn.oidc));
      url.searchParams.set("nonce", "not-the-nonce-gatehouse-sent");
      const back = await signInUpstream(url.href, "frank");
      const res = await b.get(pathOf(back), EN);
      assert.equal(res.statusCode, 400);
      assert.equal(alertOf(res.body), en.errors.EXT_IDP_FAILED);
      assert.match(refusal(h()), /claim nonce$/);
      assert.deepEqual(await counts(h()), before);
    });

    it("an expired upstream ID token: refused, nothing created", async () => {
      const before = await counts(h());
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const back = await signInUpstream(await start(b, uid, conn.oidc), "gina");
      clock.offset = 5 * 60_000; // the ID token lives 60 s; the interaction and round trip 10 min
      try {
        const res = await b.get(pathOf(back), EN);
        assert.equal(res.statusCode, 400);
        assert.equal(alertOf(res.body), en.errors.EXT_IDP_FAILED);
        assert.match(refusal(h()), /claim exp$/);
      } finally {
        clock.offset = 0;
      }
      assert.deepEqual(await counts(h()), before);
    });

    it("a blocked user is refused, with a failed line in the history", async () => {
      const user = await userByEmail(h(), String(accounts.alice?.email));
      assert.ok(user);
      await h().ctx.repos.users.updateUser(user.pool_id, user.id, { status: "Suspended" });
      try {
        const { res } = await signIn("alice");
        assert.equal(res.statusCode, 403);
        assert.equal(alertOf(res.body), en.errors.ACCOUNT_SUSPENDED);
        const history = await lastLogins(h(), user.id);
        assert.deepEqual(
          [history[0]?.method, history[0]?.success, history[0]?.reason],
          ["oidc:ext-idp:corp", 0, "suspended"],
        );
      } finally {
        await h().ctx.repos.users.updateUser(user.pool_id, user.id, { status: "Activated" });
      }
    });

    it("an OAuth 2.0 connection: the account comes from the userinfo JSON through the mapping", async () => {
      accounts.hana = { email: freshEmail("hana"), email_verified: true };
      const { res } = await signIn("hana", conn.oauth2);
      assert.equal(res.statusCode, 303, res.body);
      const user = await userByEmail(h(), String(accounts.hana.email));
      assert.ok(user);
      const [identity] = await h().ctx.repos.identities.listIdentitiesByUser(user.id);
      assert.deepEqual([identity?.provider, identity?.user_id_in_idp], ["oauth2", "hana"]);
    });

    it("a stored connection of another type answers 'not supported' when used", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const res = await b.get(`/interaction/${uid}/ext-idp/${conn.saml}`, EN);
      assert.equal(res.statusCode, 501);
      assert.equal(alertOf(res.body), en.errors.EXT_IDP_NOT_SUPPORTED);
    });

    it("an upstream that cannot be reached: a clear page, no round trip stored", async () => {
      const appId = await pagesClient(h());
      const created = await mgmt(h(), "POST", "/api/v3/create-ext-idp", {
        body: { type: "oidc", name: "Down" },
      });
      const down = await mgmt(h(), "POST", "/api/v3/create-ext-idp-conn", {
        body: {
          extIdpId: created.data.id,
          type: "oidc",
          identifier: "down",
          displayName: "Down",
          fields: { issuer: "http://127.0.0.1:9", clientId: "x", clientSecret: "y" },
        },
      });
      await mgmt(h(), "POST", "/api/v3/change-ext-idp-conn-state", {
        body: { id: down.data.id, enabled: true, appId },
      });
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const res = await b.get(`/interaction/${uid}/ext-idp/${down.data.id}`, EN);
      assert.equal(res.statusCode, 502);
      assert.equal(alertOf(res.body), en.errors.EXT_IDP_UNAVAILABLE);
      const trips = await h()
        .ctx.db.kysely.selectFrom("ext_idp_states")
        .select("id")
        .where("conn_id", "=", down.data.id)
        .execute();
      assert.equal(trips.length, 0);
    });

    it("a connection not enabled for the application is refused", async () => {
      const appId = await pagesClient(h());
      await mgmt(h(), "POST", "/api/v3/change-ext-idp-conn-state", {
        body: { id: conn.oauth2, enabled: false, appId },
      });
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const page = await b.get(`/interaction/${uid}`, EN);
      assert.ok(!page.body.includes(`/ext-idp/${conn.oauth2}`));
      const res = await b.get(`/interaction/${uid}/ext-idp/${conn.oauth2}`, EN);
      assert.equal(res.statusCode, 403);
      assert.equal(alertOf(res.body), en.errors.EXT_IDP_CONN_DISABLED);
    });

    it("an interaction that expires while the person is at the upstream: a clear page, nothing created", async () => {
      accounts.ivan = { email: freshEmail("ivan"), email_verified: true };
      const before = await counts(h());
      const b = new FormBrowser(h());
      // The interaction (10 min) began 10.5 min ago; the button was pressed 5 min ago, so the round
      // trip (10 min) is still alive, and the upstream's ID token is fresh.
      clock.offset = -10.5 * 60_000;
      const uid = await loginInteraction(h());
      clock.offset = -5 * 60_000;
      let upstreamUrl: string;
      try {
        upstreamUrl = await start(b, uid, conn.oidc);
      } finally {
        clock.offset = 0;
      }
      const back = await signInUpstream(upstreamUrl, "ivan");
      const res = await b.get(pathOf(back), EN);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(alertOf(res.body), en.errors.INTERACTION_NOT_FOUND);
      assert.deepEqual(await counts(h()), before);
      assert.equal(await userByEmail(h(), String(accounts.ivan.email)), undefined);
    });

    it("a connection switched off for the application while the person is at the upstream: refused, nothing created", async () => {
      accounts.jane = { email: freshEmail("jane"), email_verified: true };
      const appId = await pagesClient(h());
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const upstreamUrl = await start(b, uid, conn.oidc);
      const state = async (enabled: boolean) =>
        assert.equal(
          (
            await mgmt(h(), "POST", "/api/v3/change-ext-idp-conn-state", {
              body: { id: conn.oidc, enabled, appId },
            })
          ).statusCode,
          200,
        );
      await state(false);
      try {
        const before = await counts(h());
        const res = await b.get(pathOf(await signInUpstream(upstreamUrl, "jane")), EN);
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(alertOf(res.body), en.errors.EXT_IDP_CONN_DISABLED);
        assert.deepEqual(await counts(h()), before);
      } finally {
        await state(true);
      }
    });

    it("association: a connection associated with the pool shows on, and signs in through, every application's page; dissociated, only where enabled", async () => {
      const { appId: otherApp } = await createApp(h(), "client_secret_post", {
        redirectUris: ["https://other.example.com/cb"],
      });
      const app = await h().ctx.repos.applications.findApplicationById(otherApp);
      assert.ok(app);
      const otherInteraction = () =>
        h().ctx.oidc.interactions.create({
          kind: "login",
          app,
          request: authorizationRequest(h(), {
            clientId: otherApp,
            redirectUri: "https://other.example.com/cb",
          }),
        });
      const associate = async (association: boolean) =>
        assert.equal(
          (
            await mgmt(h(), "POST", "/api/v3/change-ext-idp-conn-association-state", {
              body: { id: conn.oidc, association },
            })
          ).statusCode,
          200,
        );
      const href = (uid: string) => `/interaction/${uid}/ext-idp/${conn.oidc}`;
      // An application with no connection of its own shows none (the default).
      const b = new FormBrowser(h());
      let uid = await otherInteraction();
      assert.ok(!(await b.get(`/interaction/${uid}`, EN)).body.includes(href(uid)));
      assert.equal((await b.get(href(uid), EN)).statusCode, 403);
      await associate(true);
      try {
        uid = await otherInteraction();
        assert.ok((await b.get(`/interaction/${uid}`, EN)).body.includes(href(uid)));
        const res = await b.get(href(uid), EN);
        assert.equal(res.statusCode, 303, res.body);
        const enabled = await h().api("GET", "/api/v3/get-application-enabled-extidps", undefined, {
          "x-authing-app-id": otherApp,
        });
        assert.deepEqual(
          enabled.data.map((e: { identifier: string }) => e.identifier),
          ["corp"],
        );
        // Dissociated while the person is at the upstream: the callback is refused, nothing created.
        accounts.kate = { email: freshEmail("kate"), email_verified: true };
        const back = await signInUpstream(String(res.headers.location), "kate");
        await associate(false);
        const before = await counts(h());
        const refused = await b.get(pathOf(back), EN);
        assert.equal(refused.statusCode, 403, refused.body);
        assert.equal(alertOf(refused.body), en.errors.EXT_IDP_CONN_DISABLED);
        assert.deepEqual(await counts(h()), before);
      } finally {
        await associate(false);
      }
      // The application it is enabled for still shows it.
      const own = await loginInteraction(h());
      assert.ok((await b.get(`/interaction/${own}`, EN)).body.includes(href(own)));
    });

    it("a sign-in through a connection passes through the MFA step like any first factor", async () => {
      await enableFactors(h(), ["OTP"]);
      const { b, uid, res } = await signIn("alice", conn.oidc, { acrValues: ["mfa"] });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, `/interaction/${uid}/mfa`);
      assert.ok(!b.cookies.has("gatehouse_session"), "no browser session before the second factor");
    });
  },
  { clock, config: { idpAllowHttp: true } },
);
