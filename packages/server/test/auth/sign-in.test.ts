import assert from "node:assert/strict";
import { it } from "node:test";
import bcrypt from "bcryptjs";
import { sql } from "kysely";
import { createPasswords, OWASP_ARGON2 } from "../../src/services/auth/passwords/hashing.js";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import {
  basic,
  createApp,
  insertUserWithPassword,
  jwtPayload,
  signInByPassword,
  signUpByEmail,
} from "../helpers/auth.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";
import { TEST_ARGON2 } from "../helpers/test-context.js";

describeEachDialect("sign-in", (h) => {
  let userId = "";
  it("setup: a user with email, username and phone", async () => {
    userId = await insertUserWithPassword(
      h(),
      { email: "dave@example.com", username: "dave", phone: "+8613800138000", name: "Dave" },
      "dave-pw-1",
    );
  });

  it("account is matched against email, username and phone", async () => {
    for (const account of ["dave@example.com", "DAVE@example.com", "dave", "13800138000", "+8613800138000"]) {
      const res = await signInByPassword(h(), { account, password: "dave-pw-1" });
      assert.equal(res.statusCode, 200, account);
      assert.equal(jwtPayload(res.data.access_token).sub, userId);
    }
  });

  it("a login that cannot be stored whole stores nothing: no session, refresh token or login stamp", async () => {
    const db = h().ctx.db.kysely;
    const counts = async () => ({
      sessions: Number(
        (await sql<{ n: number }>`SELECT count(*) AS n FROM sessions WHERE user_id = ${userId}`.execute(db))
          .rows[0].n,
      ),
      refresh: Number(
        (await sql<{ n: number }>`SELECT count(*) AS n FROM refresh_tokens`.execute(db)).rows[0].n,
      ),
      logins: Number(
        (await sql<{ n: number }>`SELECT logins_count AS n FROM users WHERE id = ${userId}`.execute(db))
          .rows[0].n,
      ),
    });
    const before = await counts();
    // The history line is the last write of a login: make it fail.
    await sql`ALTER TABLE login_history RENAME TO login_history_away`.execute(db);
    try {
      const res = await signInByPassword(
        h(),
        { email: "dave@example.com", password: "dave-pw-1" },
        { scope: "openid offline_access" },
      );
      // A write that fails for a reason of the server's own is its fault (500), and commits nothing.
      assertApiError(res, "INTERNAL");
      assert.equal(res.data?.access_token, undefined);
    } finally {
      await sql`ALTER TABLE login_history_away RENAME TO login_history`.execute(db);
    }
    assert.deepEqual(await counts(), before);
    const again = await signInByPassword(h(), { email: "dave@example.com", password: "dave-pw-1" });
    assert.equal(again.statusCode, 200);
    assert.equal((await counts()).logins, before.logins + 1);
  });

  it("explicit email, username and phone sign in", async () => {
    for (const payload of [{ email: "dave@example.com" }, { username: "dave" }, { phone: "13800138000" }]) {
      const res = await signInByPassword(h(), { ...payload, password: "dave-pw-1" });
      assert.equal(res.statusCode, 200, JSON.stringify(payload));
    }
  });

  it("the answer carries access_token, id_token, token_type, expire_in and scope (default openid profile)", async () => {
    const res = await signInByPassword(h(), { email: "dave@example.com", password: "dave-pw-1" });
    assert.deepEqual(Object.keys(res.data).sort(), [
      "access_token",
      "expire_in",
      "id_token",
      "scope",
      "token_type",
    ]);
    assert.equal(res.data.scope, "openid profile");
    assert.equal(res.data.expire_in, 7200);
    assert.equal(res.data.token_type, "Bearer");
    assert.equal(res.data.refresh_token, undefined);
  });

  it("offline_access adds a refresh token; unknown scopes are dropped", async () => {
    const res = await signInByPassword(
      h(),
      { email: "dave@example.com", password: "dave-pw-1" },
      { scope: "openid email offline_access made_up" },
    );
    assert.equal(res.data.scope, "openid email offline_access");
    assert.equal(typeof res.data.refresh_token, "string");
    const none = await signInByPassword(
      h(),
      { email: "dave@example.com", password: "dave-pw-1" },
      { scope: "made_up" },
    );
    assert.equal(none.data.scope, "openid profile", "nothing known requested: the default scope");
  });

  it("wrong password is 403/2333 with remainCount", async () => {
    const res = await signInByPassword(h(), { email: "dave@example.com", password: "nope" });
    assert.equal(res.statusCode, 403);
    assert.equal(res.apiCode, 2333);
    assert.equal(res.data.remainCount, 4);
  });

  it("an unknown account gets the very same answer shape as a wrong password", async () => {
    const known = await signInByPassword(h(), { account: "dave", password: "nope" });
    const unknown = await signInByPassword(h(), { account: "nobody-here", password: "nope" });
    const shape = (r: any) => ({ ...r, requestId: undefined });
    assert.deepEqual(Object.keys(unknown).sort(), Object.keys(known).sort());
    assert.equal(unknown.message, known.message);
    assert.equal(unknown.apiCode, 2333);
    assert.equal(unknown.statusCode, 403);
    assert.equal(typeof unknown.data.remainCount, "number");
    assert.deepEqual(Object.keys(shape(unknown).data), Object.keys(shape(known).data));
    // a successful sign-in resets the account's counter
    assert.equal((await signInByPassword(h(), { account: "dave", password: "dave-pw-1" })).statusCode, 200);
  });

  it("a user without a password cannot sign in by password", async () => {
    await insertUserWithPassword(h(), { email: "nopw@example.com" }, undefined);
    const res = await signInByPassword(h(), { email: "nopw@example.com", password: "" + "anything" });
    assert.equal(res.apiCode, 2333);
  });

  it("a suspended user is 403/2005 after the right password, 2333 after a wrong one", async () => {
    await insertUserWithPassword(h(), { email: "susp@example.com", status: "Suspended" }, "susp-pw-1");
    const right = await signInByPassword(h(), { email: "susp@example.com", password: "susp-pw-1" });
    assert.equal(right.statusCode, 403);
    assert.equal(right.apiCode, 2005);
    const wrong = await signInByPassword(h(), { email: "susp@example.com", password: "x" });
    assert.equal(wrong.apiCode, 2333);
  });

  it("a successful sign-in updates loginsCount, lastLogin, lastIp and lastLoginApp", async () => {
    const before = await h().ctx.repos.users.findUserById(h().boot.userPoolId, userId);
    await signInByPassword(h(), { username: "dave", password: "dave-pw-1" }, { clientIp: "203.0.113.9" });
    const after = await h().ctx.repos.users.findUserById(h().boot.userPoolId, userId);
    assert.equal(after?.logins_count, (before?.logins_count ?? 0) + 1);
    assert.equal(after?.last_ip, "203.0.113.9", "clientIp is trusted from an authenticated client");
    assert.equal(after?.last_login_app, h().boot.appId);
    assert.ok(after?.last_login);
  });

  it("autoRegister creates the account for an explicit email, not for `account`", async () => {
    const res = await signInByPassword(
      h(),
      { email: "auto@example.com", password: "auto-pw-1" },
      { autoRegister: true },
    );
    assert.equal(res.statusCode, 200);
    const user = await findUserByEmail(h().ctx.repos, h().boot.userPoolId, "auto@example.com");
    assert.equal(jwtPayload(res.data.access_token).sub, user?.id);
    const viaAccount = await signInByPassword(
      h(),
      { account: "auto2@example.com", password: "pw" },
      { autoRegister: true },
    );
    assert.equal(viaAccount.apiCode, 2333);
  });

  it("LDAP and AD connections are 501", async () => {
    const res = await h().api("POST", "/api/v3/signin", {
      connection: "LDAP",
      client_id: h().boot.appId,
      client_secret: h().boot.appSecret,
    });
    assert.equal(res.statusCode, 501);
  });
});

describeEachDialect("sign-in client authentication", (h) => {
  const password = "client-pw-1";
  it("setup", async () => {
    await signUpByEmail(h(), "erin@example.com", password);
  });
  const body = (extra: object = {}) => ({
    connection: "PASSWORD",
    passwordPayload: { email: "erin@example.com", password },
    ...extra,
  });

  it("client_secret_post: the secret in the JSON body", async () => {
    const ok = await h().api(
      "POST",
      "/api/v3/signin",
      body({ client_id: h().boot.appId, client_secret: h().boot.appSecret }),
    );
    assert.equal(ok.statusCode, 200);
    const wrong = await h().api(
      "POST",
      "/api/v3/signin",
      body({ client_id: h().boot.appId, client_secret: "wrong" }),
    );
    assert.equal(wrong.statusCode, 401);
    const none = await h().api("POST", "/api/v3/signin", body());
    assert.equal(none.statusCode, 401, "a confidential app must authenticate");
  });

  it("client_secret_basic: the Basic header", async () => {
    const ok = await h().api("POST", "/api/v3/signin", body(), {
      authorization: basic(h().boot.appId, h().boot.appSecret),
    });
    assert.equal(ok.statusCode, 200);
    const wrong = await h().api("POST", "/api/v3/signin", body(), {
      authorization: basic(h().boot.appId, "nope"),
    });
    assert.equal(wrong.statusCode, 401);
  });

  it("body credentials are preferred over a Basic header", async () => {
    const res = await h().api(
      "POST",
      "/api/v3/signin",
      body({ client_id: h().boot.appId, client_secret: h().boot.appSecret }),
      { authorization: basic(h().boot.appId, "stale") },
    );
    assert.equal(res.statusCode, 200);
    const bad = await h().api(
      "POST",
      "/api/v3/signin",
      body({ client_id: h().boot.appId, client_secret: "stale" }),
      { authorization: basic(h().boot.appId, h().boot.appSecret) },
    );
    assert.equal(bad.statusCode, 401);
  });

  it("a client_id other than the x-authing-app-id is refused", async () => {
    const other = await createApp(h(), "client_secret_post");
    const res = await h().api(
      "POST",
      "/api/v3/signin",
      body({ client_id: other.appId, client_secret: other.appSecret }),
    );
    assert.equal(res.statusCode, 401);
  });

  it("none: no credentials needed, clientIp not trusted", async () => {
    const pub = await createApp(h(), "none");
    const res = await h().api("POST", "/api/v3/signin", body({ options: { clientIp: "198.51.100.1" } }), {
      "x-authing-app-id": pub.appId,
    });
    assert.equal(res.statusCode, 200);
    assert.equal(jwtPayload(res.data.access_token).aud, pub.appId);
    const user = await findUserByEmail(h().ctx.repos, h().boot.userPoolId, "erin@example.com");
    assert.notEqual(user?.last_ip, "198.51.100.1");
  });
});

// At the server's own hashing cost, not the tests' cheaper one: re-hashes must land on OWASP's.
describeEachDialect(
  "sign-in re-hashes to the current cost",
  (h) => {
    const OWASP = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;
    it("an imported bcrypt hash signs in and is re-hashed to argon2id", async () => {
      const id = await insertUserWithPassword(
        h(),
        { email: "legacy@example.com" },
        undefined,
        bcrypt.hashSync("old-pw", 4),
      );
      const res = await signInByPassword(h(), { email: "legacy@example.com", password: "old-pw" });
      assert.equal(res.statusCode, 200);
      const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, id);
      assert.match(row?.password_hash ?? "", OWASP);
      assert.equal(
        (await signInByPassword(h(), { email: "legacy@example.com", password: "old-pw" })).statusCode,
        200,
      );
    });

    it("an argon2id hash of another cost signs in and is re-hashed to the current one", async () => {
      const cheap = createPasswords({
        rsaPrivateKeyPem: h().ctx.keys.rsaPrivateKeyPem,
        argon2Params: TEST_ARGON2,
      });
      const id = await insertUserWithPassword(
        h(),
        { email: "cheap@example.com" },
        undefined,
        await cheap.hash("cheap-pw-1"),
      );
      assert.equal(
        (await signInByPassword(h(), { email: "cheap@example.com", password: "cheap-pw-1" })).statusCode,
        200,
      );
      const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, id);
      assert.match(row?.password_hash ?? "", OWASP);
      assert.equal(
        (await signInByPassword(h(), { email: "cheap@example.com", password: "cheap-pw-1" })).statusCode,
        200,
      );
    });
  },
  { argon2Params: OWASP_ARGON2 },
);
