import assert from "node:assert/strict";
import { afterEach, it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { jwtPayload } from "../helpers/auth.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { type Account, register } from "../helpers/profile.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));

const originOf = (h: Harness) => h.ctx.passkeys.rp.origins[0] as string;

/** A POST with the MFA token as GenAuth's SDK sends its access token (bare), and the app id. */
async function post(h: Harness, url: string, mfaToken: string | undefined, body?: object) {
  const res = await h.inject({
    method: "POST",
    url,
    headers: { "x-authing-app-id": h.boot.appId, ...(mfaToken ? { authorization: mfaToken } : {}) },
    ...(body ? { payload: body } : {}),
  });
  assert.ok(res.statusCode < 500, `${url} → HTTP ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A user, with a passkey unless `passkey` is false. */
async function user(h: Harness, passkey = true) {
  const u = await register(h, { email: true });
  const auth = new SoftAuthenticator();
  if (passkey) {
    const o = await post(h, "/api/v3/webauthn/registration/initialize", u.token);
    const done = await post(h, "/api/v3/webauthn/registration", u.token, {
      ticket: o.data.ticket,
      registrationCredential: auth.create(o.data.registrationOptions, originOf(h)),
    });
    assert.equal(done.statusCode, 200, JSON.stringify(done));
  }
  return { u, auth };
}

/**
 * The API's MFA step on, required, OTP the only listed factor: a password sign-in gets an MFA token
 * (after it, `register` can no longer sign its users in).
 */
async function requireMfa(h: Harness) {
  const settings = { enabledFactors: ["OTP"], apiSignin: true, policy: "required" };
  await h.ctx.repos.pools.setPoolMfaSettings(h.boot.userPoolId, JSON.stringify(settings), clock.now());
}

async function mfaTokenOf(h: Harness, u: Account): Promise<string> {
  const r = await h.api("POST", "/api/v3/signin", {
    connection: "PASSWORD",
    passwordPayload: { account: u.email, password: u.password },
    options: { scope: "openid profile offline_access" },
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });
  assertApiError(r, "MFA_REQUIRED_BY_APP");
  return r.data.mfaToken;
}

type Options = { ticket: string; authenticationOptions: { challenge: string; rpId: string } };

async function initialize(h: Harness, mfaToken: string): Promise<Options> {
  const r = await post(h, "/api/v3/webauthn/mfa-verify/initialize", mfaToken);
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r.data;
}

const verify = (h: Harness, mfaToken: string | undefined, body: object) =>
  post(h, "/api/v3/webauthn/authentication", mfaToken, body);

const assertion = (h: Harness, o: Options, auth: SoftAuthenticator, origin = originOf(h)) => ({
  ticket: o.ticket,
  authenticationCredential: auth.get(o.authenticationOptions, origin),
});

async function history(h: Harness, userId: string) {
  const rows = await h.ctx.db.kysely
    .selectFrom("login_history")
    .select(["method", "success"])
    .where("user_id", "=", userId)
    .where("method", "=", "mfa:passkey")
    .execute();
  return rows.map((r) => Number(r.success) === 1);
}

async function introspect(h: Harness, token: string) {
  const r = await h.inject({ method: "POST", url: "/mfa/token/introspection", payload: { token } });
  return r.json().active as boolean;
}

describeEachDialect(
  "passkeys: the second factor of the API's MFA step (webauthn/mfa-verify/initialize)",
  (h) => {
    afterEach(() => h().ctx.repos.pools.setPoolMfaSettings(h().boot.userPoolId, "{}", clock.now()));

    it("the MFA token's user's passkeys; the assertion answers the step's tokens (amr pwd hwk mfa), once", async () => {
      const { u, auth } = await user(h());
      await requireMfa(h());
      clock.advance(1000);
      const mfaToken = await mfaTokenOf(h(), u);
      const o = await initialize(h(), mfaToken);
      assert.ok(o.ticket.startsWith("mfa."));
      const allowed = (o.authenticationOptions as unknown as { allowCredentials: { id: string }[] })
        .allowCredentials;
      assert.deepEqual(
        allowed.map((c) => c.id),
        [auth.id],
      );

      const body = assertion(h(), o, auth);
      const r = await verify(h(), mfaToken, body);
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.verified, true);
      const set = r.data.tokenSet;
      assert.ok(set.access_token && set.refresh_token);
      const id = jwtPayload(set.id_token);
      assert.equal(id.sub, u.userId);
      assert.deepEqual(id.amr, ["pwd", "hwk", "mfa"]);
      assert.equal(id.acr, "mfa");
      assert.deepEqual(await history(h(), u.userId), [true]);
      const verified = await h()
        .ctx.db.kysely.selectFrom("events")
        .select("data")
        .where("name", "=", "mfa:verified")
        .where("user_id", "=", u.userId)
        .execute();
      assert.equal(verified.length, 1);
      assert.equal(JSON.parse(String(verified[0]?.data)).data.factorType, "PASSKEY");
      const row = await h().ctx.repos.webauthn.findCredentialByCredentialId(h().boot.userPoolId, auth.id);
      assert.equal(Number(row?.counter), 1);

      // The MFA token is spent: neither the same body nor a fresh ceremony completes it again.
      assert.equal(await introspect(h(), mfaToken), false);
      assertApiError(await verify(h(), mfaToken, body), "MFA_TOKEN_INVALID");
      assertApiError(
        await post(h(), "/api/v3/webauthn/mfa-verify/initialize", mfaToken),
        "MFA_TOKEN_INVALID",
      );
    });

    it("a ticket is single use and bound to its MFA token: replayed, or under another MFA token, it is refused and counted", async () => {
      const { u, auth } = await user(h());
      await requireMfa(h());
      const first = await mfaTokenOf(h(), u);
      const o = await initialize(h(), first);
      const body = assertion(h(), o, auth);
      assert.equal((await verify(h(), first, body)).statusCode, 200);

      // The spent ticket under a new MFA token of the same user.
      const second = await mfaTokenOf(h(), u);
      assertApiError(await verify(h(), second, body), "WEBAUTHN_TICKET_INVALID");
      // A live ticket of one MFA token under another, then under its own: spent by the first try.
      const third = await mfaTokenOf(h(), u);
      const other = await initialize(h(), third);
      const foreign = assertion(h(), other, auth);
      assertApiError(await verify(h(), second, foreign), "WEBAUTHN_TICKET_INVALID");
      assertApiError(await verify(h(), third, foreign), "WEBAUTHN_TICKET_INVALID");
      assert.deepEqual(await history(h(), u.userId), [true, false, false, false]);
      assert.equal(await introspect(h(), second), true);
      assert.equal(await introspect(h(), third), true);
    });

    it("another user's passkey is refused and counted; the MFA token and the ticket stay good for the user's own", async () => {
      const { u, auth } = await user(h());
      const { auth: theirs } = await user(h());
      await requireMfa(h());
      const mfaToken = await mfaTokenOf(h(), u);
      const o = await initialize(h(), mfaToken);
      assertApiError(await verify(h(), mfaToken, assertion(h(), o, theirs)), "PASSKEY_UNKNOWN");
      assert.deepEqual(await history(h(), u.userId), [false]);
      assert.equal(await introspect(h(), mfaToken), true);
      const r = await verify(h(), mfaToken, assertion(h(), o, auth));
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(jwtPayload(r.data.tokenSet.access_token).sub, u.userId);
    });

    it("failed assertions count toward the MFA lock: after five, the right one is MFA_LOCKED", async () => {
      const { u, auth } = await user(h());
      await requireMfa(h());
      const mfaToken = await mfaTokenOf(h(), u);
      for (let i = 0; i < 5; i++) {
        const o = await initialize(h(), mfaToken);
        const wrong = assertion(h(), o, auth, "https://evil.example");
        assertApiError(await verify(h(), mfaToken, wrong), "WEBAUTHN_RESPONSE_INVALID");
      }
      const o = await initialize(h(), mfaToken);
      assertApiError(await verify(h(), mfaToken, assertion(h(), o, auth)), "MFA_LOCKED");
      assert.equal(await introspect(h(), mfaToken), true);
    });

    it("a sign-in whose first factor was the passkey (amr hwk) is not proved by a passkey again", async () => {
      const { u, auth } = await user(h());
      await requireMfa(h());
      const o = await post(h(), "/api/v3/webauthn/login/initialize", undefined);
      const first = await verify(h(), undefined, assertion(h(), o.data, auth));
      assertApiError(first, "MFA_REQUIRED_BY_APP");
      const mfaToken = first.data.mfaToken as string;
      assertApiError(
        await post(h(), "/api/v3/webauthn/mfa-verify/initialize", mfaToken),
        "MFA_FACTOR_NOT_OWED",
      );
      assert.deepEqual(await history(h(), u.userId), []);
      assert.equal(await introspect(h(), mfaToken), true);
    });

    it("a user without a passkey, and a missing or forged MFA token, are clear errors", async () => {
      const { u } = await user(h(), false);
      const { u: v, auth } = await user(h());
      await requireMfa(h());
      const mfaToken = await mfaTokenOf(h(), u);
      assertApiError(
        await post(h(), "/api/v3/webauthn/mfa-verify/initialize", mfaToken),
        "MFA_FACTOR_NOT_FOUND",
      );
      assertApiError(
        await post(h(), "/api/v3/webauthn/mfa-verify/initialize", undefined),
        "MFA_TOKEN_INVALID",
      );
      assertApiError(
        await post(h(), "/api/v3/webauthn/mfa-verify/initialize", `${mfaToken}x`),
        "MFA_TOKEN_INVALID",
      );
      // An MFA ticket's assertion with no MFA token completes nothing.
      const token = await mfaTokenOf(h(), v);
      const o = await initialize(h(), token);
      assertApiError(await verify(h(), undefined, assertion(h(), o, auth)), "MFA_TOKEN_INVALID");
      assert.equal(await introspect(h(), token), true);
    });
  },
  { clock },
);
