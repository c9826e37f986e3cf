import assert from "node:assert/strict";
import { constants, publicEncrypt } from "node:crypto";
import { it } from "node:test";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import { signInByPassword, signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

describeEachDialect("sign-up", (h) => {
  it("PASSWORD with an email returns the new UserDto (no password, no tokens)", async () => {
    const res = await signUpByEmail(h(), "Alice@Example.com", "pw-alice-1");
    assert.equal(res.statusCode, 200);
    assert.equal(res.data.email, "alice@example.com");
    assert.equal(res.data.emailVerified, false);
    assert.equal(res.data.userSourceType, "register");
    assert.equal(res.data.userSourceId, h().boot.appId);
    assert.equal(res.data.passwordSecurityLevel, 2);
    assert.ok(res.data.passwordLastSetAt);
    assert.equal(JSON.stringify(res).includes("argon2"), false);
    assert.equal(res.data.access_token, undefined);
    const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, res.data.userId);
    assert.match(row?.password_hash ?? "", /^\$argon2id\$/);
  });

  it("PASSWORD with a username (and profile fields) stores the profile", async () => {
    await h().ctx.admin.customFields.set(h().boot.userPoolId, [
      { targetType: "USER", key: "team", dataType: "STRING", userEditable: true },
    ]);
    const res = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { username: "bob", password: "pw-bob-12" },
      profile: {
        nickname: "Bobby",
        givenName: "Bob",
        locality: "Paris",
        gender: "M",
        customData: { team: "red" },
      },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.data.username, "bob");
    assert.equal(res.data.nickname, "Bobby");
    assert.equal(res.data.givenName, "Bob");
    assert.equal(res.data.city, "Paris");
    assert.equal(res.data.gender, "M");
    const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, res.data.userId);
    assert.deepEqual(JSON.parse(row?.custom_data ?? "null"), { team: "red" });
  });

  it("a duplicate email (any case) is 409/2026 and creates nothing", async () => {
    const before = await h().ctx.repos.users.countUsers(h().boot.userPoolId);
    const res = await signUpByEmail(h(), "ALICE@example.com", "another-pw-1");
    assert.equal(res.statusCode, 409);
    assert.equal(res.apiCode, 2026);
    assert.equal(await h().ctx.repos.users.countUsers(h().boot.userPoolId), before);
  });

  it("a duplicate username is 409/2026", async () => {
    const res = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { username: "BOB", password: "pw-bob-12" },
    });
    assert.equal(res.statusCode, 409);
    assert.equal(res.apiCode, 2026);
  });

  it("parallel sign-ups with one email create exactly one user; the others get 409/2026", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => signUpByEmail(h(), "race@example.com", "race-pw-123")),
    );
    const codes = results.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [200, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409)) assert.equal(r.apiCode, 2026);
    const users = await h()
      .ctx.db.kysely.selectFrom("users")
      .select("id")
      .where("pool_id", "=", h().boot.userPoolId)
      .where("email", "=", "race@example.com")
      .execute();
    assert.equal(users.length, 1);
  });

  it("PASSWORD without email or username is 400", async () => {
    const res = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { password: "x" },
    });
    assert.equal(res.statusCode, 400);
  });

  it("an invalid email is 400", async () => {
    const res = await signUpByEmail(h(), "not-an-email", "pw-123456");
    assert.equal(res.statusCode, 400);
  });

  it("a body that breaks the schema is 400 and names the field", async () => {
    const res = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { password: 12 },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.message, /password/);
  });

  it("profile.email without an information-completion code is 400", async () => {
    const res = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { username: "carol", password: "pw-carol-1" },
      profile: { email: "carol@example.com" },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.message, /emailPassCodeForInformationCompletion/);
  });

  it("passwordEncryptType rsa: the password is decrypted with the key from /api/v3/system", async () => {
    const system = (await h().inject({ method: "GET", url: "/api/v3/system" })).json();
    const ct = publicEncrypt(
      { key: system.rsa.publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from("rsa-secret-1"),
    ).toString("base64");
    const up = await signUpByEmail(h(), "rsa@example.com", ct, { options: { passwordEncryptType: "rsa" } });
    assert.equal(up.statusCode, 200);
    const res = await signInByPassword(h(), { email: "rsa@example.com", password: "rsa-secret-1" });
    assert.equal(res.statusCode, 200);
  });

  it("passwordEncryptType rsa with a value that does not decrypt is 400 with a clear message", async () => {
    const res = await signUpByEmail(h(), "rsa2@example.com", "plain-text", {
      options: { passwordEncryptType: "rsa" },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.message, /decrypt/);
  });

  it("a weak password under the pool policy is 400/2061 with the rule in the message", async () => {
    await patchPoolSettings(h(), { passwordStrength: 3 });
    try {
      const res = await signUpByEmail(h(), "weak@example.com", "abcdef12");
      assert.equal(res.statusCode, 400);
      assert.equal(res.apiCode, 2061);
      assert.match(res.message, /letters, digits and symbols/);
      assert.equal(await findUserByEmail(h().ctx.repos, h().boot.userPoolId, "weak@example.com"), undefined);
    } finally {
      await patchPoolSettings(h(), { passwordStrength: 0 });
    }
  });

  it("registerDisabled is 403/2031", async () => {
    await patchPoolSettings(h(), { registerDisabled: true });
    try {
      const res = await signUpByEmail(h(), "closed@example.com", "pw-123456");
      assert.equal(res.statusCode, 403);
      assert.equal(res.apiCode, 2031);
    } finally {
      await patchPoolSettings(h(), { registerDisabled: false });
    }
  });

  it("sign-up needs the app id header", async () => {
    const res = await h().inject({
      method: "POST",
      url: "/api/v3/signup",
      payload: { connection: "PASSWORD", passwordPayload: { email: "x@example.com", password: "pw" } },
    });
    assert.equal(res.json().statusCode, 400);
    assert.equal(res.json().apiCode, 2011);
  });
});
