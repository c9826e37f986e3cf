import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { it } from "node:test";
import { sql } from "kysely";
import { FakeClock } from "../../src/lib/clock.js";
import { createAuthorizationCodes } from "../../src/services/oidc/authorization-codes.js";
import { createApp, form, signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { Browser, expectStop as expect } from "../helpers/oidc-rp.js";

const clock = new FakeClock(Date.now());
const CB = "https://rp.example.com/cb";
const CB2 = "https://rp.example.com/other";
const VERIFIER = "v".repeat(43);
const S256 = createHash("sha256").update(VERIFIER).digest("base64url");

// The authorization_code grant's checks one at a time, at the token endpoint (RFC 6749 §4.1.3,
// RFC 7636 §4.6, docs/oidc-provider.md §Codes): the exact error and description, and that a
// refused exchange leaves the code usable, while a second use of a spent one ends what it opened.
describeEachDialect(
  "oidc: the authorization_code grant's checks",
  (h) => {
    let userId = "";
    let app: { appId: string; appSecret: string };
    let other: { appId: string; appSecret: string };
    let pub: { appId: string; appSecret: string };
    let browser: Browser;

    /** A code for the signed-in browser. */
    async function code(client: string, params: Record<string, string> = {}, b = browser) {
      const q = { client_id: client, redirect_uri: CB, response_type: "code", scope: "openid", ...params };
      const url = expect(await b.visit(`/oidc/auth?${new URLSearchParams(q)}`), "callback").url;
      return url.searchParams.get("code") as string;
    }
    const exchange = (client: { appId: string; appSecret: string }, fields: Record<string, string>) =>
      form(h(), "/oidc/token", {
        grant_type: "authorization_code",
        client_id: client.appId,
        ...(client === pub ? {} : { client_secret: client.appSecret }),
        ...fields,
      });
    /** The exchange is refused with this error and description. */
    async function refused(
      client: { appId: string; appSecret: string },
      fields: Record<string, string>,
      description: string,
      error = "invalid_grant",
    ) {
      const res = await exchange(client, fields);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.deepEqual([res.body.error, res.body.error_description], [error, description]);
    }
    async function accepted(client: { appId: string; appSecret: string }, fields: Record<string, string>) {
      const res = await exchange(client, fields);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.access_token);
      return res.body;
    }
    /** How a session ended (or not yet). */
    const sessionEnd = (id: string) =>
      h()
        .ctx.db.kysely.selectFrom("sessions")
        .select(["ended_at", "end_reason"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
    /** A code row of the application (the fake clock stands still: no order by time). */
    const codeRow = (appId: string) =>
      h()
        .ctx.db.kysely.selectFrom("oidc_authorization_codes")
        .selectAll()
        .where("app_id", "=", appId)
        .executeTakeFirstOrThrow();

    it("setup", async () => {
      userId = (await signUpByEmail(h(), "grant@example.com", "correct horse 1")).data.userId;
      app = await createApp(h(), "client_secret_post", { redirectUris: [CB, CB2], allowPlainPkce: true });
      other = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      pub = await createApp(h(), "none", { redirectUris: [CB] });
      browser = new Browser(h);
      const q = { client_id: app.appId, redirect_uri: CB, response_type: "code", scope: "openid" };
      const first = expect(await browser.visit(`/oidc/auth?${new URLSearchParams(q)}`), "interaction");
      expect(await browser.signIn(first.uid, userId), "callback");
    });

    it("no code, an unknown code, another client's code: refused, and the code is not spent", async () => {
      await refused(app, {}, "code is required", "invalid_request");
      await refused(app, { code: "" }, "code is required", "invalid_request");
      await refused(app, { code: "no-such-code" }, "authorization code is invalid");
      const c = await code(app.appId);
      await refused(other, { code: c }, "authorization code was issued to another client");
      await accepted(app, { code: c });
    });

    it("the client named by x-authing-app-id alone, when the body names none (the official SDK)", async () => {
      const c = await code(app.appId);
      const res = await form(
        h(),
        "/oidc/token",
        { grant_type: "authorization_code", code: c, client_secret: app.appSecret },
        { "x-authing-app-id": app.appId },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.access_token);
    });

    it("a second use, even after expiry: refused, and the session the first opened ends (authorization_code_reuse)", async () => {
      // An application of its own: its one code is the row read below.
      const reuse = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      const c = await code(reuse.appId);
      const first = await accepted(reuse, { code: c });
      const { token_session_id } = await codeRow(reuse.appId);
      assert.ok(token_session_id);
      // Another client presenting the spent code ends nothing.
      await refused(other, { code: c }, "authorization code was issued to another client");
      const open = await h().inject({ method: "GET", url: `/oidc/me?access_token=${first.access_token}` });
      assert.equal(open.statusCode, 200);
      // Late, past the code's expiry: still a reuse, which revokes (the row is kept a day).
      clock.advance(60_000);
      await refused(reuse, { code: c }, "authorization code was already used");
      const session = await sessionEnd(token_session_id);
      assert.equal(session.end_reason, "authorization_code_reuse");
      assert.notEqual(session.ended_at, null);
      const me = await h().inject({ method: "GET", url: `/oidc/me?access_token=${first.access_token}` });
      assert.equal(me.statusCode, 401);
    });

    it("expiry: usable until the last millisecond of its lifetime, refused at it", async () => {
      const late = await code(app.appId);
      clock.advance(59_999);
      await accepted(app, { code: late });
      const expired = await code(app.appId);
      clock.advance(60_000);
      await refused(app, { code: expired }, "authorization code expired");
    });

    it("redirect_uri: when sent, the authorization request's own", async () => {
      const c = await code(app.appId, { redirect_uri: CB2 });
      for (const redirect_uri of [CB, "", `${CB2}/`])
        await refused(
          app,
          { code: c, redirect_uri },
          "redirect_uri does not match the authorization request",
        );
      await accepted(app, { code: c, redirect_uri: CB2 });
      // Not sent: the code's own is used (the official SDK sends it; RFC 6749 lets a client omit it
      // when the request did).
      await accepted(app, { code: await code(app.appId) });
    });

    it("PKCE: the verifier matches the S256 challenge; a verifier without a challenge is a downgrade", async () => {
      const c = await code(pub.appId, { code_challenge: S256, code_challenge_method: "S256" });
      await refused(pub, { code: c }, "code_verifier is required");
      await refused(pub, { code: c, code_verifier: "" }, "code_verifier is malformed");
      for (const code_verifier of [VERIFIER.slice(1), "v".repeat(129), `${VERIFIER}+`, `+${VERIFIER}`])
        await refused(pub, { code: c, code_verifier }, "code_verifier is malformed");
      // The challenge itself is no verifier for S256 (a plain comparison would accept it).
      await refused(pub, { code: c, code_verifier: S256 }, "code_verifier does not match the code_challenge");
      await refused(
        pub,
        { code: c, code_verifier: "w".repeat(43) },
        "code_verifier does not match the code_challenge",
      );
      await accepted(pub, { code: c, code_verifier: VERIFIER });
      // The longest verifier RFC 7636 §4.1 allows, with each of its four punctuation characters.
      const longest = `${"A-Za-z0-9._~".repeat(10)}${"v".repeat(8)}`;
      const s256 = (v: string) => createHash("sha256").update(v).digest("base64url");
      const c128 = await code(pub.appId, { code_challenge: s256(longest), code_challenge_method: "S256" });
      await accepted(pub, { code: c128, code_verifier: longest });

      const none = await code(app.appId);
      await refused(
        app,
        { code: none, code_verifier: VERIFIER },
        "code_verifier was sent but the authorization request had no code_challenge",
      );
      await accepted(app, { code: none });
    });

    it("PKCE plain (where allowed): the verifier is the challenge", async () => {
      const c = await code(app.appId, { code_challenge: VERIFIER, code_challenge_method: "plain" });
      await refused(app, { code: c, code_verifier: S256 }, "code_verifier does not match the code_challenge");
      await refused(
        app,
        { code: c, code_verifier: `${VERIFIER}v` },
        "code_verifier does not match the code_challenge",
      );
      await accepted(app, { code: c, code_verifier: VERIFIER });
    });

    /**
     * Runs `run` while every exchange is held after its read of the code until `callers` have read
     * it (later reads pass), and `meanwhile` runs there; the code's reads are restored after.
     */
    async function heldAfterRead<T>(callers: number, run: () => Promise<T>, meanwhile = async () => {}) {
      const repo = h().ctx.repos.oidc;
      const read = repo.findCode;
      let arrived = 0;
      let release!: () => void;
      const allRead = new Promise<void>((resolve) => {
        release = resolve;
      });
      repo.findCode = async (...args) => {
        const row = await read(...args);
        if (++arrived > callers) return row;
        if (arrived === callers) await meanwhile().then(release);
        await allRead;
        return row;
      };
      try {
        return await run();
      } finally {
        repo.findCode = read;
      }
    }

    it("two exchanges of one code at once: one wins; the other, spent under it, is a reuse and ends the winner's session", async () => {
      // Both read the code unspent, so the spend in the login's batch alone decides: the loser's batch
      // keeps nothing and it answers as a second use would.
      const racing = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      const c = await code(racing.appId);
      const results = await heldAfterRead(2, () =>
        Promise.all([exchange(racing, { code: c }), exchange(racing, { code: c })]),
      );
      const winners = results.filter((r) => r.status === 200);
      assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.body)));
      assert.deepEqual(
        results
          .filter((r) => r.status !== 200)
          .map((r) => [r.status, r.body.error, r.body.error_description]),
        [[400, "invalid_grant", "authorization code was already used"]],
      );
      const { token_session_id } = await codeRow(racing.appId);
      assert.ok(token_session_id);
      const session = await sessionEnd(token_session_id);
      assert.equal(session.end_reason, "authorization_code_reuse");
      const me = await h().inject({
        method: "GET",
        url: `/oidc/me?access_token=${winners[0].body.access_token}`,
      });
      assert.equal(me.statusCode, 401);
      // The loser's login left nothing: one session opened from this code, one history line.
      const opened = await h()
        .ctx.db.kysely.selectFrom("sessions")
        .select("id")
        .where("app_id", "=", racing.appId)
        .execute();
      assert.deepEqual(
        opened.map((s) => s.id),
        [token_session_id],
      );
    });

    it("an exchange whose batch fails for the server's own reason is a server_error, not a reuse: the code still works", async () => {
      const faulty = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      const c = await code(faulty.appId);
      const db = h().ctx.db.kysely;
      // The login's history line is a write of the exchange's batch: make it fail.
      await sql`ALTER TABLE login_history RENAME TO login_history_away`.execute(db);
      let res: Awaited<ReturnType<typeof exchange>>;
      try {
        res = await exchange(faulty, { code: c });
      } finally {
        await sql`ALTER TABLE login_history_away RENAME TO login_history`.execute(db);
      }
      assert.deepEqual([res.status, res.body.error], [500, "server_error"]);
      assert.equal((await codeRow(faulty.appId)).consumed_at, null, "nothing of the batch kept");
      await accepted(faulty, { code: c });
    });

    it("a code gone between the exchange's read and its spend: invalid, and nothing is kept", async () => {
      // Only the sweep deletes codes (a day past their expiry; here as if another node's clock ran
      // that far ahead): the spend then touches no row, and there is no first use to revoke.
      const gone = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      const c = await code(gone.appId);
      const [res] = await heldAfterRead(
        1,
        () => Promise.all([exchange(gone, { code: c })]),
        async () => {
          await h()
            .ctx.db.kysely.deleteFrom("oidc_authorization_codes")
            .where("app_id", "=", gone.appId)
            .execute();
        },
      );
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.deepEqual(
        [res.body.error, res.body.error_description],
        ["invalid_grant", "authorization code is invalid"],
      );
      const opened = await h()
        .ctx.db.kysely.selectFrom("sessions")
        .select("id")
        .where("app_id", "=", gone.appId)
        .execute();
      assert.deepEqual(opened, []);
    });

    /** A user of its own, signed in in a browser of its own (the suite's user stays), and a code of it. */
    async function codeOfOwnUser(email: string) {
      const doomed = (await signUpByEmail(h(), email, "correct horse 2")).data.userId;
      const b = new Browser(h);
      const q = { client_id: app.appId, redirect_uri: CB, response_type: "code", scope: "openid" };
      const first = expect(await b.visit(`/oidc/auth?${new URLSearchParams(q)}`), "interaction");
      expect(await b.signIn(first.uid, doomed), "callback");
      return { doomed, c: await code(app.appId, {}, b) };
    }

    it("the user deleted between the sign-in's check and the user's read (another node's delete): invalid", async () => {
      const { doomed, c } = await codeOfOwnUser("doomed@example.com");
      // This node's session cache may still answer "open" for a moment after another node deleted
      // the user: the delete lands right after the check answered.
      const sessions = h().ctx.sessions;
      const isActive = sessions.isActive;
      sessions.isActive = async (...args) => {
        const open = await isActive(...args);
        await h().ctx.repos.userAdmin.deleteUsers(h().boot.userPoolId, [doomed]);
        return open;
      };
      try {
        await refused(app, { code: c }, "authorization code is invalid");
      } finally {
        sessions.isActive = isActive;
      }
    });

    it("the user deleted between the exchange's read of the user and its login's batch: invalid, nothing kept", async () => {
      const { doomed, c } = await codeOfOwnUser("doomed-late@example.com");
      const users = h().ctx.repos.users;
      const read = users.findUserById;
      users.findUserById = async (...args) => {
        const row = await read(...args);
        if (args[1] === doomed) await h().ctx.repos.userAdmin.deleteUsers(h().boot.userPoolId, [doomed]);
        return row;
      };
      try {
        await refused(app, { code: c }, "authorization code is invalid");
      } finally {
        users.findUserById = read;
      }
      const opened = await h()
        .ctx.db.kysely.selectFrom("sessions")
        .select("id")
        .where("user_id", "=", doomed)
        .execute();
      assert.deepEqual(opened, []);
    });

    it("the user suspended or the sign-in ended since the code was issued: refused", async () => {
      const c = await code(app.appId);
      await h().ctx.repos.users.updateUser(h().boot.userPoolId, userId, { status: "Suspended" });
      await refused(app, { code: c }, "authorization code is invalid");
      await h().ctx.repos.users.updateUser(h().boot.userPoolId, userId, { status: "Activated" });
      await accepted(app, { code: c });

      const ended = await code(app.appId);
      // Every code of this browser names the same sign-in.
      const { browser_session_id } = await codeRow(app.appId);
      await h().ctx.oidc.browserSessions.end(browser_session_id, "logout");
      await refused(app, { code: ended }, "the sign-in this code was issued in has ended");
    });

    it("the sweep: the first code issued and every 500th after drop the codes more than a day past their expiry", async () => {
      // An issuer of its own, so its count starts at zero; the rows it sweeps are the suite's.
      const codes = createAuthorizationCodes({ repos: h().ctx.repos, clock, secret: "sweep" });
      const repos = h().ctx.repos;
      const row = await codeRow(app.appId);
      const appRow = await repos.applications.findApplicationById(app.appId);
      assert.ok(appRow);
      const session = {
        sessionId: row.browser_session_id,
        userId,
        poolId: h().boot.userPoolId,
        authTime: clock.now(),
        method: "password" as const,
        amr: ["pwd"],
      };
      const request = {
        clientId: app.appId,
        redirectUri: CB,
        responseType: "code",
        responseMode: "query" as const,
        scope: "openid",
        prompt: [],
      };
      const day = 86_400_000;
      const old = async (code_hash: string) =>
        repos.oidc.insertCode({ ...row, code_hash, expires_at: clock.now() - day - 1 });
      await old("sweep-first");
      await repos.oidc.insertCode({ ...row, code_hash: "sweep-kept", expires_at: clock.now() - day });
      await codes.issue(appRow, session, request);
      assert.equal(await repos.oidc.findCode("sweep-first"), undefined, "the first code sweeps");
      assert.ok(await repos.oidc.findCode("sweep-kept"), "a code expired a day ago exactly is kept");
      await old("sweep-later");
      for (let i = 2; i <= 500; i++) await codes.issue(appRow, session, request);
      assert.ok(await repos.oidc.findCode("sweep-later"), "codes 2 to 500 sweep nothing");
      await codes.issue(appRow, session, request);
      assert.equal(await repos.oidc.findCode("sweep-later"), undefined, "the 501st sweeps");
    });
  },
  { clock },
);
