import assert from "node:assert/strict";
import { before, it } from "node:test";
import { compactVerify, createLocalJWKSet } from "jose";
import { findUserByEmail } from "../../packages/server/src/services/users/identifiers.js";
import {
  AUTH_METHODS,
  type AuthMethod,
  authClient,
  codeFor,
  describeCompat,
  newEmail,
  newPhone,
  useAuthMethod,
} from "./helpers.js";

/**
 * Registration, login, messages and tokens through the unmodified authing-node-sdk@4.0.1
 * (docs/wire-contract.md §1–3b, §3f, §3h), once per token endpoint auth method of the application.
 */
for (const method of AUTH_METHODS) {
  describeCompat(`sdk auth (${method})`, (g) => {
    const password = "sdk-pw-12345";
    const email = newEmail(method);
    const username = `user_${method}_${process.pid}`;
    const phone = newPhone();
    const codeEmail = newEmail(`${method}-code`);
    let sdk: ReturnType<typeof authClient>;

    before(async () => {
      await useAuthMethod(g(), method);
      sdk = authClient(g(), method);
      await g().h.ctx.admin.customFields.set(g().h.boot.userPoolId, [
        { targetType: "USER", key: "role", dataType: "STRING", userEditable: false },
        { targetType: "USER", key: "team", dataType: "STRING", userEditable: true },
      ]);
    });

    it("signUpByEmailPassword returns the UserDto", async () => {
      const r = await sdk.signUpByEmailPassword({ email, password, profile: { nickname: "SDK" } });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.email, email);
      assert.equal(r.data.nickname, "SDK");
    });

    it("signUpByEmailPassword: profile.customData holds only user-editable custom fields (403/2018 otherwise, nothing created)", async () => {
      const attacker = newEmail(`${method}-role`);
      const refused = await sdk.signUpByEmailPassword({
        email: attacker,
        password,
        profile: { customData: { role: "admin" } },
      });
      assert.deepEqual([refused.statusCode, refused.apiCode], [403, 2018], JSON.stringify(refused));
      assert.equal(await findUserByEmail(g().h.ctx.repos, g().h.boot.userPoolId, attacker), undefined);
      const unknown = await sdk.signUpByEmailPassword({
        email: attacker,
        password,
        profile: { customData: { notAField: 1 } },
      });
      assert.equal(unknown.statusCode, 400, JSON.stringify(unknown));
      const ok = await sdk.signUpByEmailPassword({
        email: attacker,
        password,
        profile: { customData: { team: "red" } },
      });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
      const row = await g().h.ctx.repos.users.findUserById(g().h.boot.userPoolId, ok.data.userId);
      assert.deepEqual(JSON.parse(row?.custom_data ?? "null"), { team: "red" });
    });

    it("signUpByUsernamePassword", async () => {
      const r = await sdk.signUpByUsernamePassword({ username, password });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.username, username);
    });

    it("sendSms + signUpByPhoneCode (CHANNEL_REGISTER), with a password for the phone", async () => {
      const sent = await sdk.sendSms({ channel: "CHANNEL_REGISTER" as any, phoneNumber: phone });
      assert.equal(sent.statusCode, 200, JSON.stringify(sent));
      const r = await sdk.signUpByPhoneCode({
        phone,
        passCode: codeFor(g(), phone, "CHANNEL_REGISTER"),
        options: { passwordForPhonePassCode: password } as any,
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.phone, phone);
      assert.equal(r.data.phoneCountryCode, "+86");
      assert.equal(r.data.phoneVerified, true);
    });

    it("sendEmail + signUpByEmailCode (CHANNEL_REGISTER)", async () => {
      const sent = await sdk.sendEmail({ channel: "CHANNEL_REGISTER" as any, email: codeEmail });
      assert.equal(sent.statusCode, 200, JSON.stringify(sent));
      const r = await sdk.signUpByEmailCode({
        email: codeEmail,
        passCode: codeFor(g(), codeEmail, "CHANNEL_REGISTER"),
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.emailVerified, true);
    });

    it("a duplicate sign-up answers 409/2026 in the envelope (HTTP 200, the SDK resolves)", async () => {
      const r = await sdk.signUpByEmailPassword({ email, password });
      assert.equal(r.statusCode, 409);
      assert.equal(r.apiCode, 2026);
    });

    const expectTokens = (r: any, label: string) => {
      assert.equal(r.statusCode, 200, `${label}: ${JSON.stringify(r)}`);
      assert.equal(typeof r.data.access_token, "string");
      assert.equal(typeof r.data.id_token, "string");
      assert.equal(r.data.expire_in, 7200);
      assert.equal(r.data.token_type, "Bearer");
    };

    it("signInByAccountPassword (email, username and phone as account)", async () => {
      for (const account of [email, username, phone]) {
        expectTokens(await sdk.signInByAccountPassword({ account, password }), account);
      }
    });

    it("signInByEmailPassword, signInByUsernamePassword, signInByPhonePassword", async () => {
      expectTokens(await sdk.signInByEmailPassword({ email, password }), "email");
      expectTokens(await sdk.signInByUsernamePassword({ username, password }), "username");
      expectTokens(await sdk.signInByPhonePassword({ phone, password }), "phone");
    });

    it("a wrong password answers 403/2333 with remainCount", async () => {
      const r = await sdk.signInByEmailPassword({ email, password: "wrong" });
      assert.equal(r.statusCode, 403);
      assert.equal(r.apiCode, 2333);
      assert.equal(typeof (r as any).data.remainCount, "number");
    });

    it("sendSms + signInByPhonePassCode (CHANNEL_LOGIN)", async () => {
      await sdk.sendSms({ channel: "CHANNEL_LOGIN" as any, phoneNumber: phone, phoneCountryCode: "+86" });
      const r = await sdk.signInByPhonePassCode({
        phone,
        phoneCountryCode: "+86",
        passCode: codeFor(g(), phone, "CHANNEL_LOGIN"),
      });
      expectTokens(r, "phone code");
    });

    // The account signed up by code: a first code sign-in to `email`, whose password was set before
    // anyone proved the address, would reclaim it (docs/behaviour-and-errors.md §4.6).
    it("sendEmail + signInByEmailPassCode (CHANNEL_LOGIN)", async () => {
      await sdk.sendEmail({ channel: "CHANNEL_LOGIN" as any, email: codeEmail });
      expectTokens(
        await sdk.signInByEmailPassCode({
          email: codeEmail,
          passCode: codeFor(g(), codeEmail, "CHANNEL_LOGIN"),
        }),
        "email code",
      );
    });

    it("getNewAccessTokenByRefreshToken rotates the refresh token", async () => {
      const login = await sdk.signInByEmailPassword({
        email,
        password,
        options: { scope: "openid profile offline_access" },
      });
      const refresh = login.data.refresh_token as string;
      assert.equal(typeof refresh, "string");
      const r: any = await sdk.getNewAccessTokenByRefreshToken(refresh);
      assert.equal(typeof r.access_token, "string");
      assert.equal(r.expires_in, 7200);
      assert.notEqual(r.refresh_token, refresh);
      await assert.rejects(
        sdk.getNewAccessTokenByRefreshToken(refresh),
        /status code 400/,
        "reuse is refused",
      );
    });

    it("introspectToken and revokeToken", async () => {
      const login = await sdk.signInByEmailPassword({
        email,
        password,
        options: { scope: "openid offline_access" },
      });
      const at = login.data.access_token as string;
      const active: any = await sdk.introspectToken(at);
      assert.equal(active.active, true);
      assert.equal(active.client_id, g().h.boot.appId);
      const rt: any = await sdk.introspectToken(login.data.refresh_token as string);
      assert.equal(rt.active, true);
      assert.equal(await sdk.revokeToken(at), true);
      const after: any = await sdk.introspectToken(at);
      assert.equal(after.active, false);
      await assert.rejects(sdk.getUserInfoByAccessToken(at), /status code 401/);
    });

    it("getUserInfoByAccessToken: every method and placement", async () => {
      const login = await sdk.signInByEmailPassword({
        email,
        password,
        options: { scope: "openid profile email" },
      });
      const at = login.data.access_token as string;
      const variants: (undefined | { method?: "GET" | "POST"; tokenPlace?: "query" | "header" | "body" })[] =
        [
          undefined,
          { method: "GET", tokenPlace: "header" },
          { method: "GET", tokenPlace: "query" },
          { method: "POST", tokenPlace: "query" },
          { method: "POST", tokenPlace: "body" },
          { method: "POST", tokenPlace: "header" },
        ];
      for (const v of variants) {
        const info: any = await sdk.getUserInfoByAccessToken(at, v);
        assert.equal(info.email, email, JSON.stringify(v));
        assert.equal(info.nickname, "SDK");
        assert.equal(typeof info.sub, "string");
      }
    });

    it("parseIDToken and parseAccessToken verify against the JWKS", async () => {
      const login = await sdk.signInByUsernamePassword({
        username,
        password,
        options: { scope: "openid profile username" },
      });
      const id = await sdk.parseIDToken(login.data.id_token as string);
      assert.equal(id.aud, g().h.boot.appId);
      assert.equal((id as any).username, username);
      assert.equal(typeof id.at_hash, "string");
      const at = await sdk.parseAccessToken(login.data.access_token as string);
      assert.equal(at.scope, "openid profile username");
      assert.equal(at.iss, `http://localhost:3000/oidc`);
      const tampered = `${(login.data.access_token as string).slice(0, -4)}AAAA`;
      await assert.rejects(sdk.parseAccessToken(tampered), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
    });

    it("getLoginHistory and getLoggedInApps with the stored access token", async () => {
      const login = await sdk.signInByEmailPassword({ email, password });
      const me = authClient(g(), method, { accessToken: login.data.access_token });
      const history: any = await me.getLoginHistory({ page: 1, limit: 5 });
      assert.equal(history.statusCode, 200, JSON.stringify(history));
      assert.ok(history.data.totalCount >= 5);
      assert.equal(history.data.list.length, 5);
      assert.equal(history.data.list[0].success, true);
      // A failure of this user's own, so the filtered list cannot be empty.
      assert.equal((await sdk.signInByEmailPassword({ email, password: "wrong" })).statusCode, 403);
      const failures: any = await me.getLoginHistory({ success: false });
      assert.ok(failures.data.list.length > 0, JSON.stringify(failures));
      assert.ok(failures.data.list.every((e: any) => e.success === false));
      const apps: any = await me.getLoggedInApps();
      assert.equal(apps.statusCode, 200);
      assert.equal(apps.data[0].appId, g().h.boot.appId);
      assert.equal(apps.data[0].active, true);
    });

    it("getSystemInfo (no envelope) and getCountryList", async () => {
      const system: any = await sdk.getSystemInfo();
      assert.match(system.rsa.publicKey, /BEGIN PUBLIC KEY/);
      const countries: any = await sdk.getCountryList();
      assert.equal(countries.statusCode, 200);
      assert.ok(countries.data.some((c: any) => c.alpha2 === "CN" && c.phoneCountryCode === "+86"));
    });

    it("the JWKS the SDK fetches verifies ID tokens with jose as well", async () => {
      const login = await sdk.signInByEmailPassword({ email, password });
      const jwks = await (await fetch(`${g().url}/oidc/.well-known/jwks.json`)).json();
      await compactVerify(login.data.id_token as string, createLocalJWKSet(jwks));
    });
  });
}

describeCompat("sdk client authentication is enforced", (g) => {
  const check = async (appMethod: AuthMethod, sdkMethod: AuthMethod, secret?: string) => {
    await useAuthMethod(g(), appMethod);
    const sdk = authClient(g(), sdkMethod, { appSecret: secret });
    return sdk.signInByEmailPassword({ email: "nobody@example.com", password: "x" });
  };
  it("a confidential app refuses an SDK configured with none (401)", async () => {
    assert.equal((await check("client_secret_post", "none")).statusCode, 401);
  });
  it("a wrong app secret is refused (401) in post and basic mode", async () => {
    assert.equal((await check("client_secret_post", "client_secret_post", "wrong")).statusCode, 401);
    assert.equal((await check("client_secret_basic", "client_secret_basic", "wrong")).statusCode, 401);
  });
  it("the token endpoint refuses a wrong secret with HTTP 401 (the SDK throws)", async () => {
    await useAuthMethod(g(), "client_secret_post");
    const sdk = authClient(g(), "client_secret_post", { appSecret: "wrong" });
    await assert.rejects(sdk.getNewAccessTokenByRefreshToken("x"), /status code 401/);
  });
});
