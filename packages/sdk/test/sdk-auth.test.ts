import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../server/src/lib/clock.js";
import { GatehouseError, GatehouseTokenError } from "../src/index.js";
import { clientFor, fresh, lastCode, signedInUser } from "./helpers/accounts.js";
import { liveGatehouse } from "./helpers/gatehouse.js";

describe("authentication: sign-up and sign-in families against a real Gatehouse", () => {
  const gh = liveGatehouse();

  it("signUpByEmailPassword then signInByEmailPassword: the client keeps the tokens", async () => {
    const id = fresh();
    const client = clientFor(gh());
    const up = await client.signUpByEmailPassword({ email: id.email, password: "Passw0rd!x" });
    assert.equal(up.statusCode, 200);
    assert.equal(up.data.email, id.email);
    assert.equal(client.getTokenSet(), undefined, "sign-up returns no tokens");
    const res = await client.signInByEmailPassword({ email: id.email, password: "Passw0rd!x" });
    assert.equal(typeof res.data.access_token, "string");
    assert.equal(typeof res.data.expire_in, "number");
    assert.equal(client.getTokenSet()?.accessToken, res.data.access_token);
  });

  it("signUpByUsernamePassword, signInByUsernamePassword and signInByAccountPassword", async () => {
    const id = fresh();
    const client = clientFor(gh());
    await client.signUpByUsernamePassword({ username: id.username, password: "Passw0rd!x" });
    assert.equal(
      (await client.signInByUsernamePassword({ username: id.username, password: "Passw0rd!x" })).statusCode,
      200,
    );
    assert.equal(
      (await client.signInByAccountPassword({ account: id.username, password: "Passw0rd!x" })).statusCode,
      200,
    );
  });

  it("sendSms + signUpByPhoneCode, then signInByPhonePassCode and signInByPhonePassword", async () => {
    const { phone } = fresh();
    const client = clientFor(gh());
    await client.sendSms({ channel: "CHANNEL_REGISTER", phoneNumber: phone, phoneCountryCode: "+86" });
    const up = await client.signUpByPhoneCode({
      phone,
      phoneCountryCode: "+86",
      passCode: lastCode(gh().h, phone, "CHANNEL_REGISTER"),
      options: { passwordForPhonePassCode: "Passw0rd!x" },
    });
    assert.equal(up.data.phone, phone);
    await client.sendSms({ channel: "CHANNEL_LOGIN", phoneNumber: phone, phoneCountryCode: "+86" });
    const code = lastCode(gh().h, phone, "CHANNEL_LOGIN");
    const byCode = await client.signInByPhonePassCode({ phone, phoneCountryCode: "+86", passCode: code });
    assert.equal(typeof byCode.data.access_token, "string");
    const byPassword = await client.signInByPhonePassword({ phone, password: "Passw0rd!x" });
    assert.equal(byPassword.statusCode, 200);
  });

  it("sendEmail + signUpByEmailCode, then signInByEmailPassCode", async () => {
    const { email } = fresh();
    const client = clientFor(gh());
    await client.sendEmail({ channel: "CHANNEL_REGISTER", email });
    await client.signUpByEmailCode({ email, passCode: lastCode(gh().h, email, "CHANNEL_REGISTER") });
    await client.sendEmail({ channel: "CHANNEL_LOGIN", email });
    const code = lastCode(gh().h, email, "CHANNEL_LOGIN");
    const res = await client.signInByEmailPassCode({ email, passCode: code });
    assert.equal(res.statusCode, 200);
  });

  it("a wrong password throws GatehouseError LOGIN_FAILED (403/2333); throwOnError:false returns it", async () => {
    const { email } = await signedInUser(gh());
    const err = await clientFor(gh())
      .signInByEmailPassword({ email, password: "wrong-password" })
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 403);
    assert.equal(err.apiCode, 2333);
    assert.equal(err.name, "LOGIN_FAILED");
    assert.ok(err.requestId);
    const raw = await clientFor(gh(), { throwOnError: false }).signInByEmailPassword({
      email,
      password: "wrong",
    });
    assert.equal(raw.statusCode, 403);
    assert.equal(raw.apiCode, 2333);
  });

  it("client_secret_basic sends the app credentials in a Basic header", async () => {
    const id = fresh();
    const client = clientFor(gh(), { tokenEndPointAuthMethod: "client_secret_basic" });
    await client.signUpByEmailPassword({ email: id.email, password: "Passw0rd!x" });
    assert.equal(
      (await client.signInByEmailPassword({ email: id.email, password: "Passw0rd!x" })).statusCode,
      200,
    );
    const bad = clientFor(gh(), {
      tokenEndPointAuthMethod: "client_secret_basic",
      appSecret: "wrong-secret",
    });
    await assert.rejects(
      bad.signInByEmailPassword({ email: id.email, password: "Passw0rd!x" }),
      GatehouseError,
    );
  });

  it("passwordEncryptType rsa: sign-up and sign-in send RSA-OAEP ciphertext the server decrypts", async () => {
    const id = fresh();
    const client = clientFor(gh(), { passwordEncryptType: "rsa" });
    await client.signUpByEmailPassword({ email: id.email, password: "Passw0rd!x" });
    assert.equal(
      (await client.signInByEmailPassword({ email: id.email, password: "Passw0rd!x" })).statusCode,
      200,
    );
    // and the plain password works for a plain client: the server stored the decrypted one
    assert.equal(
      (await clientFor(gh()).signInByEmailPassword({ email: id.email, password: "Passw0rd!x" })).statusCode,
      200,
    );
  });
});

describe("authentication: token methods against a real Gatehouse", () => {
  const gh = liveGatehouse();

  it("parseIDToken and parseAccessToken accept the server's tokens (issuer, audience, JWKS)", async () => {
    const { client, user } = await signedInUser(gh());
    const tokens = client.getTokenSet()!;
    const id = await client.parseIDToken(tokens.idToken!);
    assert.equal(id.sub, user.userId);
    const at = await client.parseAccessToken(tokens.accessToken);
    assert.equal(at.sub, user.userId);
  });

  it("parseIDToken refuses the server's token for another app, and with a wrong nonce", async () => {
    const { client } = await signedInUser(gh());
    const idToken = client.getTokenSet()!.idToken!;
    const other = clientFor(gh(), { appId: "another-app" });
    const err = await other.parseIDToken(idToken).catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseTokenError);
    assert.equal(err.reason, "audience");
    const err2 = await client.parseIDToken(idToken, { nonce: "not-the-nonce" }).catch((e: unknown) => e);
    assert.ok(err2 instanceof GatehouseTokenError);
    assert.equal(err2.reason, "nonce");
  });

  it("introspectToken reports the access token active; revokeToken ends it and forgets the kept tokens", async () => {
    const { client } = await signedInUser(gh());
    const token = client.getTokenSet()!.accessToken;
    assert.equal((await client.introspectToken(token)).active, true);
    assert.equal(await client.revokeToken(token), true);
    assert.equal(client.getTokenSet(), undefined);
    assert.equal((await clientFor(gh()).introspectToken(token)).active, false);
  });

  it("getUserInfoByAccessToken in every token placement", async () => {
    const { client, user } = await signedInUser(gh());
    const token = client.getTokenSet()!.accessToken;
    const variants = [
      undefined,
      { method: "GET", tokenPlace: "header" },
      { method: "GET", tokenPlace: "query" },
      { method: "POST", tokenPlace: "header" },
      { method: "POST", tokenPlace: "query" },
      { method: "POST", tokenPlace: "body" },
    ] as const;
    for (const v of variants) {
      const info = await client.getUserInfoByAccessToken(token, v);
      assert.equal(info.sub, user.userId, JSON.stringify(v));
    }
  });

  it("getNewAccessTokenByRefreshToken rotates the kept tokens", async () => {
    const { client } = await signedInUser(gh());
    const before = client.getTokenSet()!;
    assert.ok(before.refreshToken, "offline_access yields a refresh token");
    const res = await client.getNewAccessTokenByRefreshToken();
    assert.equal(typeof res.access_token, "string");
    assert.equal(client.getTokenSet()!.accessToken, res.access_token);
    assert.notEqual(res.access_token, before.accessToken);
  });

  it("an expired kept token is refreshed on demand before a user call", async () => {
    const { client, user } = await signedInUser(gh());
    const kept = client.getTokenSet()!;
    client.setTokenSet({ ...kept, expiresAt: Date.now() - 1000 });
    const { data } = await client.getLoginHistory();
    assert.ok(data.list.length > 0, "the sign-in itself is in the history");
    assert.ok(data.list.every((entry) => entry.userId === user.userId));
    assert.notEqual(client.getTokenSet()!.accessToken, kept.accessToken);
  });

  it("getLoginHistory and getLoggedInApps list the signed-in user's sign-ins", async () => {
    const { client, user } = await signedInUser(gh());
    const history = await client.getLoginHistory({ limit: 5 });
    assert.ok(history.data.totalCount >= 1);
    assert.equal(history.data.list[0].userId, user.userId);
    const apps = await client.getLoggedInApps();
    assert.ok(apps.data.some((a) => a.appId === gh().h.boot.appId));
  });

  it("a refresh with a bad refresh token throws the OAuth error", async () => {
    const err = await clientFor(gh())
      .getNewAccessTokenByRefreshToken("not-a-token")
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.error, "invalid_grant");
    assert.equal(err.statusCode, 400);
  });

  it("buildLogoutUrl and buildAuthorizeUrl point at the server's OIDC endpoints", () => {
    const client = clientFor(gh(), { logoutRedirectUri: "https://app.example/bye" });
    const logout = new URL(client.buildLogoutUrl({ idToken: "idt", state: "s1" }));
    assert.equal(`${logout.origin}${logout.pathname}`, `${gh().url}/oidc/session/end`);
    assert.equal(logout.searchParams.get("post_logout_redirect_uri"), "https://app.example/bye");
    assert.equal(logout.searchParams.get("id_token_hint"), "idt");
    const { url, state } = client.buildAuthorizeUrl({ codeChallenge: "abc" });
    const auth = new URL(url);
    assert.equal(auth.searchParams.get("state"), state);
    assert.equal(auth.searchParams.get("code_challenge_method"), "S256");
  });
});

describe("authentication: refresh when the server says the token expired", () => {
  const clock = new FakeClock(Date.now());
  const gh = liveGatehouse({}, { clock });

  it("a 401/2206 answer makes the client refresh once and repeat the call", async () => {
    const { client, user } = await signedInUser(gh());
    const kept = client.getTokenSet()!;
    // the client believes its token is fresh; the server's clock says it expired
    client.setTokenSet({ ...kept, expiresAt: Date.now() + 24 * 3600_000 });
    clock.advance(3 * 3600_000);
    const { data } = await client.getLoginHistory();
    assert.ok(data.list.length > 0, "the sign-in itself is in the history");
    assert.ok(data.list.every((entry) => entry.userId === user.userId));
    assert.notEqual(client.getTokenSet()!.accessToken, kept.accessToken);
  });
});
