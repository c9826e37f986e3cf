import assert from "node:assert/strict";
import { it } from "node:test";
import { jwtPayload, signInByCode, signInByPassword } from "../helpers/auth.js";
import { freshEmail, freshPhone, sendEmailCode, sendSmsCode, wrongCode } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

const signUpByPhone = (h: Harness, phone: string, passCode: string, extra: object = {}) =>
  h.api("POST", "/api/v3/signup", { connection: "PASSCODE", passCodePayload: { phone, passCode }, ...extra });

describeEachDialect("passcode sign-up and sign-in", (h) => {
  it("sign-up by phone code (CHANNEL_REGISTER): verified phone, split into phone and phoneCountryCode", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
    const res = await signUpByPhone(h(), phone, code);
    assert.equal(res.statusCode, 200);
    assert.equal(res.data.phone, phone);
    assert.equal(res.data.phoneCountryCode, "+86");
    assert.equal(res.data.phoneVerified, true);
    const again = await signUpByPhone(h(), freshPhone(), code);
    // A code is bound to its own number: another number has no live code at all (2300, not 2001).
    assert.deepEqual([again.statusCode, again.apiCode], [400, 2300]);
  });

  it("a registered phone cannot register again (409/2026)", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
    assert.equal((await signUpByPhone(h(), phone, code)).statusCode, 200);
    const reuse = await signUpByPhone(h(), phone, code);
    assert.deepEqual([reuse.statusCode, reuse.apiCode], [409, 2026]);
  });

  it("sign-up by email code with passwordForPhonePassCode sets a password", async () => {
    const email = freshEmail("code");
    const code = await sendEmailCode(h(), email, "CHANNEL_REGISTER");
    const res = await h().api("POST", "/api/v3/signup", {
      connection: "PASSCODE",
      passCodePayload: { email, passCode: code },
      options: { passwordForPhonePassCode: "code-pw-123" },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.data.emailVerified, true);
    assert.equal((await signInByPassword(h(), { email, password: "code-pw-123" })).statusCode, 200);
  });

  it("a wrong code is 400/2001 and creates nothing", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
    const res = await signUpByPhone(h(), phone, wrongCode(code));
    assert.deepEqual([res.statusCode, res.apiCode], [400, 2001]);
    assert.equal(await h().ctx.repos.users.findUserByPhone(h().boot.userPoolId, `+86${phone}`), undefined);
    assert.equal((await signUpByPhone(h(), phone, code)).statusCode, 200, "the right code still works");
  });

  it("a code sent for login does not register", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const res = await signUpByPhone(h(), phone, code);
    assert.deepEqual([res.statusCode, res.apiCode], [400, 2001]);
    assert.equal(await h().ctx.repos.users.findUserByPhone(h().boot.userPoolId, `+86${phone}`), undefined);
  });

  it("a weak passwordForPhonePassCode is 400/2061 and leaves the code usable", async () => {
    await patchPoolSettings(h(), { passwordStrength: 1 });
    try {
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
      const weak = await signUpByPhone(h(), phone, code, { options: { passwordForPhonePassCode: "abc" } });
      assert.deepEqual([weak.statusCode, weak.apiCode], [400, 2061]);
      assert.equal((await signUpByPhone(h(), phone, code)).statusCode, 200);
    } finally {
      await patchPoolSettings(h(), { passwordStrength: 0 });
    }
  });

  it("information completion: profile.phone with a CHANNEL_COMPLETE_PHONE code is stored verified", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_COMPLETE_PHONE");
    const body = (c: string) => ({
      connection: "PASSWORD",
      passwordPayload: { username: `u${phone}`, password: "complete-pw-1" },
      profile: { phone },
      options: { phonePassCodeForInformationCompletion: c },
    });
    const wrong = await h().api("POST", "/api/v3/signup", body(wrongCode(code)));
    assert.equal(wrong.apiCode, 2001);
    const res = await h().api("POST", "/api/v3/signup", body(code));
    assert.equal(res.statusCode, 200);
    assert.equal(res.data.phone, phone);
    assert.equal(res.data.phoneVerified, true);
  });

  it("information completion: profile.email with a CHANNEL_COMPLETE_EMAIL code", async () => {
    const email = freshEmail("complete");
    const code = await sendEmailCode(h(), email, "CHANNEL_COMPLETE_EMAIL");
    const res = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { username: `u-${email.split("@")[0]}`, password: "complete-pw-1" },
      profile: { email },
      options: { emailPassCodeForInformationCompletion: code },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.data.email, email);
    assert.equal(res.data.emailVerified, true);
  });

  it("parallel sign-ups with one phone code create exactly one user", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
    const results = await Promise.all(Array.from({ length: 6 }, () => signUpByPhone(h(), phone, code)));
    assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
    // A loser either finds the number taken (409/2026) or the code already spent (400/2300).
    const losers = results.filter((x) => x.statusCode !== 200);
    assert.equal(losers.length, 5);
    for (const r of losers)
      assert.ok(["409/2026", "400/2300"].includes(`${r.statusCode}/${r.apiCode}`), JSON.stringify(r));
    const users = await h()
      .ctx.db.kysely.selectFrom("users")
      .select("id")
      .where("phone", "=", `+86${phone}`)
      .execute();
    assert.equal(users.length, 1);
  });

  it("sign-in by phone code (CHANNEL_LOGIN) returns tokens and spends the code", async () => {
    const phone = freshPhone();
    const reg = await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
    const user = await signUpByPhone(h(), phone, reg);
    const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const res = await signInByCode(h(), { phone, passCode: code });
    assert.equal(res.statusCode, 200);
    assert.equal(jwtPayload(res.data.access_token).sub, user.data.userId);
    assert.equal(res.data.scope, "openid profile");
    const again = await signInByCode(h(), { phone, passCode: code });
    assert.deepEqual([again.statusCode, again.apiCode], [400, 2300], "the code was spent");
  });

  it("sign-in by email code marks the email verified", async () => {
    const email = freshEmail("login");
    await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { email, password: "pw-123456" },
    });
    const code = await sendEmailCode(h(), email, "CHANNEL_LOGIN");
    const res = await signInByCode(h(), { email, passCode: code }, { scope: "openid email" });
    assert.equal(res.statusCode, 200);
    assert.equal(jwtPayload(res.data.id_token).email_verified, true);
  });

  it("a wrong login code is 400/2001 and is recorded as a failed attempt", async () => {
    const phone = freshPhone();
    const reg = await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
    const user = await signUpByPhone(h(), phone, reg);
    const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const res = await signInByCode(h(), { phone, passCode: wrongCode(code) });
    assert.deepEqual([res.statusCode, res.apiCode], [400, 2001]);
    const history = await h().ctx.repos.loginHistory.listLoginHistory(
      { poolId: h().boot.userPoolId, userId: user.data.userId, success: false },
      1,
      10,
    );
    assert.equal(history.rows[0]?.reason, "wrong_code");
  });

  it("an unknown phone is 403/2333 without autoRegister, and is registered with it", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const res = await signInByCode(h(), { phone, passCode: code });
    assert.deepEqual([res.statusCode, res.apiCode], [403, 2333]);
    const auto = await signInByCode(h(), { phone, passCode: code }, { autoRegister: true });
    assert.equal(auto.statusCode, 200);
    const user = await h().ctx.repos.users.findUserByPhone(h().boot.userPoolId, `+86${phone}`);
    assert.equal(user?.phone_verified, 1);
    assert.equal(jwtPayload(auto.data.access_token).sub, user?.id);
  });

  it("parallel autoRegister sign-ins with one login code: exactly one signs in, the others 400/2300 (the code is spent)", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const results = await Promise.all(
      Array.from({ length: 6 }, () => signInByCode(h(), { phone, passCode: code }, { autoRegister: true })),
    );
    assert.equal(results.filter((r) => r.statusCode === 200).length, 1, JSON.stringify(results));
    const losers = results.filter((r) => r.statusCode !== 200);
    assert.equal(losers.length, 5);
    // A sign-in that lost the code never answers "user already exists": it was told nothing about a sign-up.
    for (const r of losers) assert.deepEqual([r.statusCode, r.apiCode], [400, 2300], JSON.stringify(r));
  });

  it("autoRegister by code honours registerDisabled (403/2031)", async () => {
    await patchPoolSettings(h(), { registerDisabled: true });
    try {
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const res = await signInByCode(h(), { phone, passCode: code }, { autoRegister: true });
      assert.deepEqual([res.statusCode, res.apiCode], [403, 2031]);
      const signup = await signUpByPhone(h(), phone, code);
      assert.deepEqual([signup.statusCode, signup.apiCode], [403, 2031]);
    } finally {
      await patchPoolSettings(h(), { registerDisabled: false });
    }
  });
});
