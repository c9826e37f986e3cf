import assert from "node:assert/strict";
import { it } from "node:test";
import { jwtPayload, signInByPassword } from "../helpers/auth.js";
import { sendEmailCode } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

/**
 * Look-alike and non-ASCII identifiers (docs/behaviour-and-errors.md §1.9): an email or username is
 * one identifier whatever its case or compatibility form, on SQLite as on PostgreSQL, and a new
 * username may not mix scripts.
 */

const PASSWORD = "look-alike-pw-1";

const signUpUsername = (h: Harness, username: string) =>
  h.api("POST", "/api/v3/signup", {
    connection: "PASSWORD",
    passwordPayload: { username, password: PASSWORD },
  });
const signUpEmail = (h: Harness, email: string) =>
  h.api("POST", "/api/v3/signup", { connection: "PASSWORD", passwordPayload: { email, password: PASSWORD } });
const subOf = (res: any) => jwtPayload(res.data.access_token).sub as string;
const envelope = (r: any) => [r.statusCode, r.apiCode];

describeEachDialect("identifier keys: look-alike and non-ASCII identifiers", (h) => {
  const count = () => h().ctx.repos.users.countUsers(h().boot.userPoolId);

  it("'Émile' signs up and signs in as 'émile', 'ÉMILE' and its decomposed spelling", async () => {
    const up = await signUpUsername(h(), "Émile");
    assert.equal(up.statusCode, 200, JSON.stringify(up));
    assert.equal(up.data.username, "Émile", "the username is stored as typed");
    for (const username of ["Émile", "émile", "ÉMILE", "E\u0301mile"]) {
      const res = await signInByPassword(h(), { username, password: PASSWORD });
      assert.equal(res.statusCode, 200, `${username}: ${JSON.stringify(res)}`);
      assert.equal(subOf(res), up.data.userId, username);
    }
    const byAccount = await signInByPassword(h(), { account: "émile", password: PASSWORD });
    assert.equal(subOf(byAccount), up.data.userId);
  });

  it("'émile' cannot register once 'Émile' has: sign-up 409/2026, create-user and update-profile 409/2034", async () => {
    const before = await count();
    assert.deepEqual(envelope(await signUpUsername(h(), "émile")), [409, 2026]);
    assert.deepEqual(
      envelope(await mgmt(h(), "POST", "/api/v3/create-user", { body: { username: "ÉMILE" } })),
      [409, 2034],
    );
    const other = await signUpUsername(h(), "someone-else");
    const token = (await signInByPassword(h(), { username: "someone-else", password: PASSWORD })).data
      .access_token;
    assert.deepEqual(
      envelope(
        await h().api("POST", "/api/v3/update-profile", { username: "émile" }, { authorization: token }),
      ),
      [409, 2034],
    );
    assert.equal(await count(), before + 1, JSON.stringify(other));
  });

  it("full-width 'ａdmin' is the identifier 'admin': refused beside it, and it names admin's account at sign-in", async () => {
    const admin = await signUpUsername(h(), "admin");
    assert.equal(admin.statusCode, 200, JSON.stringify(admin));
    assert.deepEqual(envelope(await signUpUsername(h(), "ａdmin")), [409, 2026]);
    assert.deepEqual(envelope(await signUpUsername(h(), "ＡＤＭＩＮ")), [409, 2026]);
    const res = await signInByPassword(h(), { username: "ａｄｍｉｎ", password: PASSWORD });
    assert.equal(subOf(res), admin.data.userId);
  });

  it("an invisible character does not make a new username: 'ad\\u200bmin' is refused", async () => {
    const res = await signUpUsername(h(), "ad\u200bmin");
    assert.equal(res.statusCode, 400, JSON.stringify(res));
  });

  it("a mixed-script username (Latin with a Cyrillic 'а') is refused with 400 by every writer", async () => {
    const before = await count();
    const spoof = "\u0430dmin"; // Cyrillic а + Latin dmin
    for (const res of [
      await signUpUsername(h(), spoof),
      await signInByPassword(h(), { username: spoof, password: PASSWORD }, { autoRegister: true }),
      await mgmt(h(), "POST", "/api/v3/create-user", {
        body: { username: spoof },
        headers: { "x-authing-lang": "en-US" },
      }),
    ]) {
      assert.equal(res.statusCode, 400, JSON.stringify(res));
      assert.match(res.message, /mixes letters of several scripts \(Cyrl, Latn\)/);
    }
    assert.equal(await count(), before);
  });

  it("a username of one script, or Latin with Chinese, Japanese or Korean letters, is accepted", async () => {
    for (const username of [
      "Алексей",
      "Ελένη_2",
      "山田taro",
      "やまだ.タロウ",
      "김민준-kim",
      "Zoë",
      "ｚｏｅｙ",
    ]) {
      const res = await signUpUsername(h(), username);
      assert.equal(res.statusCode, 200, `${username}: ${JSON.stringify(res)}`);
      assert.equal(res.data.username, username.normalize("NFC"));
    }
  });

  it("emails: 'STRASSE@EXAMPLE.COM' and full-width forms are 'straße@example.com''s identifier", async () => {
    const up = await signUpEmail(h(), "Straße@example.com");
    assert.equal(up.statusCode, 200, JSON.stringify(up));
    assert.deepEqual(envelope(await signUpEmail(h(), "STRASSE@EXAMPLE.COM")), [409, 2026]);
    assert.deepEqual(envelope(await signUpEmail(h(), "ｓｔｒａｓｓｅ@example.com")), [409, 2026]);
    const res = await signInByPassword(h(), { email: "strasse@example.com", password: PASSWORD });
    assert.equal(subOf(res), up.data.userId);
  });

  it("a login code sent to a look-alike mailbox does not sign in the account that owns the key", async () => {
    const victim = await signUpEmail(h(), "victim-ss@example.com");
    assert.equal(victim.statusCode, 200, JSON.stringify(victim));
    const lookAlike = "victim-ß@example.com";
    const code = await sendEmailCode(h(), lookAlike, "CHANNEL_LOGIN");
    const passcode = (options: object) =>
      h().api("POST", "/api/v3/signin", {
        connection: "PASSCODE",
        passCodePayload: { email: lookAlike, passCode: code },
        options,
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
    assert.deepEqual(envelope(await passcode({})), [403, 2333]);
    const auto = await passcode({ autoRegister: true });
    assert.notEqual(auto.statusCode, 200, JSON.stringify(auto));
  });

  it("a reset-password code is not delivered to a look-alike of a user's mailbox", async () => {
    assert.equal((await signUpEmail(h(), "reset-ss@example.com")).statusCode, 200);
    const res = await h().api("POST", "/api/v3/send-email", {
      channel: "CHANNEL_RESET_PASSWORD",
      email: "reset-ß@example.com",
    });
    assert.equal(res.statusCode, 200, JSON.stringify(res));
    assert.equal(h().ctx.outbox.lastCodeFor("reset-ß@example.com", "CHANNEL_RESET_PASSWORD"), undefined);
    await sendEmailCode(h(), "reset-ss@example.com", "CHANNEL_RESET_PASSWORD");
  });

  it("management lookups and list-users filters find a user by any form of its username", async () => {
    const created = await mgmt(h(), "POST", "/api/v3/create-user", { body: { username: "Ünal" } });
    assert.equal(created.statusCode, 200, JSON.stringify(created));
    const got = await mgmt(h(), "GET", "/api/v3/get-user", {
      params: { userId: "ÜNAL", userIdType: "username" },
    });
    assert.equal(got.data?.userId, created.data.userId, JSON.stringify(got));
    const exists = await mgmt(h(), "POST", "/api/v3/is-user-exists", { body: { username: "ünal" } });
    assert.equal(exists.data?.exists, true, JSON.stringify(exists));
    const listed = await mgmt(h(), "POST", "/api/v3/list-users", {
      body: { advancedFilter: [{ field: "username", operator: "EQUAL", value: "ünal" }] },
    });
    assert.deepEqual(
      listed.data?.list.map((u: { userId: string }) => u.userId),
      [created.data.userId],
      JSON.stringify(listed),
    );
  });
});
