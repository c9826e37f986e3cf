import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { decodeJwt } from "../../src/services/tokens/jwt.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { enableFactors, totpAt } from "../helpers/mfa.js";
import { type Account, newEmail, register, sendEmail } from "../helpers/profile.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 10, 0, 0));
const ASSOCIATE = "/api/v2/mfa/totp/associate";
const CONFIRM = "/api/v2/mfa/totp/associate/confirm";

function passwordSignIn(h: Harness, u: Account) {
  return h.api("POST", "/api/v3/signin", {
    connection: "PASSWORD",
    passwordPayload: { account: u.email, password: u.password },
    options: { scope: "openid profile offline_access" },
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });
}

/** As GenAuth's hosted login sends it: the bare MFA token in `authorization`. */
async function post(h: Harness, path: string, token: string | undefined, body: unknown) {
  const res = await h.inject({
    method: "POST",
    url: path,
    headers: { ...(token ? { authorization: token } : {}), "x-authing-app-id": h.boot.appId },
    payload: body as object,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

const factorsOf = async (h: Harness, userId: string) =>
  (await h.ctx.repos.mfaFactors.listUserFactors(h.boot.userPoolId, userId)).map((f) => f.factor_type);

// An authenticator enrolled inside the API's MFA step (docs/mfa.md §The API's MFA step), on
// GenAuth's V2 paths: associate, then confirm with its first code, which completes the sign-in.
describeEachDialect(
  "mfa: enrolling an authenticator in the API's MFA step",
  (h) => {
    it("required policy, no factor: associate shows the authenticator once; confirm enrols it and answers the sign-in's tokens", async () => {
      const u = await register(h(), { email: true });
      await enableFactors(h(), ["OTP"], { apiSignin: true, policy: "required" });
      const r = await passwordSignIn(h(), u);
      assert.equal(r.apiCode, 1636, JSON.stringify(r));
      const mfaToken = r.data.mfaToken as string;

      const first = await post(h(), ASSOCIATE, mfaToken, {
        authenticator_type: "totp",
        source: "APPLICATION",
      });
      assert.equal(first.statusCode, 200, JSON.stringify(first));
      const a = first.data;
      assert.equal(a.authenticator_type, "totp");
      assert.match(a.secret, /^[A-Z2-7]{32}$/);
      assert.ok(a.qrcode_uri.startsWith("otpauth://totp/"), a.qrcode_uri);
      assert.equal(new URL(a.qrcode_uri).searchParams.get("secret"), a.secret);
      assert.match(a.qrcode_data_url, /^data:image\/png;base64,/);
      assert.match(a.recovery_code, /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);
      assert.deepEqual(await factorsOf(h(), u.userId), [], "nothing is enrolled before a code proves it");

      // Asked again (the page reloaded): a fresh secret replaces the first.
      const second = (await post(h(), ASSOCIATE, `Bearer ${mfaToken}`, {})).data;
      assert.notEqual(second.secret, a.secret);
      clock.advance(30_000);
      const stale = await post(h(), CONFIRM, mfaToken, {
        authenticator_type: "totp",
        totp: totpAt(a.qrcode_uri, clock.now()),
      });
      assertApiError(stale, "MFA_TOTP_WRONG");
      assert.equal(stale.apiCode, 6001);
      assert.deepEqual(await factorsOf(h(), u.userId), []);

      const ok = await post(h(), CONFIRM, mfaToken, {
        authenticator_type: "totp",
        totp: totpAt(second.qrcode_uri, clock.now()),
        source: "APPLICATION",
      });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
      assert.ok(ok.data.access_token && ok.data.refresh_token);
      const claims = decodeJwt(ok.data.id_token)?.payload as Record<string, unknown>;
      assert.deepEqual(claims.amr, ["pwd", "otp", "mfa"]);
      assert.equal(claims.acr, "mfa");
      assert.deepEqual(await factorsOf(h(), u.userId), ["OTP"]);
      const enrolled = await h()
        .ctx.repos.db.selectFrom("events")
        .select("data")
        .where("name", "=", "mfa:enrolled")
        .where("user_id", "=", u.userId)
        .execute();
      assert.equal(enrolled.length, 1);

      // The MFA token is spent: neither confirm nor associate works with it again.
      assertApiError(await post(h(), CONFIRM, mfaToken, { totp: "123456" }), "MFA_TOKEN_INVALID");
      assertApiError(await post(h(), ASSOCIATE, mfaToken, {}), "MFA_TOKEN_INVALID");

      // The next sign-in proves the new authenticator (the enrolling code's time step is spent), or its recovery code.
      const next = await passwordSignIn(h(), u);
      assert.equal(next.apiCode, 1636);
      const replay = await post(h(), "/api/v2/applications/mfa/totp/verify", next.data.mfaToken, {
        totp: totpAt(second.qrcode_uri, clock.now()),
      });
      assertApiError(replay, "MFA_TOTP_WRONG");
      const recovered = await post(h(), "/api/v2/mfa/totp/recovery", next.data.mfaToken, {
        recoveryCode: second.recovery_code,
      });
      assert.equal(recovered.statusCode, 200, JSON.stringify(recovered));

      // A refresh of the step's tokens keeps the sign-in's amr and acr.
      clock.advance(60_000);
      const refreshed = await h().inject({
        method: "POST",
        url: "/oidc/token",
        payload: {
          grant_type: "refresh_token",
          refresh_token: ok.data.refresh_token,
          client_id: h().boot.appId,
          client_secret: h().boot.appSecret,
        },
      });
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      const again = decodeJwt(refreshed.json().id_token)?.payload as Record<string, unknown>;
      assert.deepEqual(again.amr, ["pwd", "otp", "mfa"]);
      assert.equal(again.acr, "mfa");
    });

    it("only a user who must enrol and may pick an authenticator: others answer MFA_FACTOR_NOT_OWED and change nothing", async () => {
      // Has a factor already (email): the step proves it, it enrols nothing.
      await enableFactors(h(), []); // signed up with no MFA step in the way
      const withEmail = await register(h(), { email: true });
      const fresh = await register(h(), { email: true });
      await enableFactors(h(), ["OTP", "EMAIL"], { apiSignin: true, policy: "required" });
      const r = await passwordSignIn(h(), withEmail);
      const mfaEmail = newEmail();
      const code = await sendEmail(h(), mfaEmail, "CHANNEL_VERIFY_MFA");
      const enrolled = await post(h(), "/api/v2/applications/mfa/email/verify", r.data.mfaToken, {
        email: mfaEmail,
        code,
      });
      assert.equal(enrolled.statusCode, 200, JSON.stringify(enrolled));
      const again = await passwordSignIn(h(), withEmail);
      assertApiError(await post(h(), ASSOCIATE, again.data.mfaToken, {}), "MFA_FACTOR_NOT_OWED");
      assertApiError(
        await post(h(), CONFIRM, again.data.mfaToken, { totp: "123456" }),
        "MFA_FACTOR_NOT_OWED",
      );
      assert.deepEqual(await factorsOf(h(), withEmail.userId), ["EMAIL"]);

      // Authenticators are not enabled for the application: nothing to associate.
      await enableFactors(h(), ["EMAIL"], { apiSignin: true, policy: "required" });
      const step = await passwordSignIn(h(), fresh);
      assert.equal(step.apiCode, 1636);
      assertApiError(await post(h(), ASSOCIATE, step.data.mfaToken, {}), "MFA_FACTOR_NOT_OWED");
      assert.deepEqual(await factorsOf(h(), fresh.userId), []);
    });

    it("hostile: no token, a forged one, a confirm with nothing associated, bad bodies — envelopes, nothing stored", async () => {
      await enableFactors(h(), []);
      const u = await register(h(), { email: true });
      await enableFactors(h(), ["OTP"], { apiSignin: true, policy: "required" });
      const r = await passwordSignIn(h(), u);
      const token = r.data.mfaToken as string;
      assertApiError(await post(h(), ASSOCIATE, undefined, {}), "MFA_TOKEN_INVALID");
      assertApiError(await post(h(), ASSOCIATE, "eyJwIjoieCJ9.AAAA", {}), "MFA_TOKEN_INVALID");
      assertApiError(await post(h(), CONFIRM, token, { totp: "123456" }), "MFA_ENROLLMENT_TOKEN_INVALID");
      assert.equal((await post(h(), CONFIRM, token, { totp: 5 })).statusCode, 400);
      assert.equal((await post(h(), ASSOCIATE, token, { authenticator_type: "sms" })).statusCode, 400);
      // A wrong first code counts toward the MFA lock like any other.
      await post(h(), ASSOCIATE, token, {});
      for (let i = 0; i < 5; i++) await post(h(), CONFIRM, token, { totp: "000000" });
      assertApiError(await post(h(), CONFIRM, token, { totp: "000000" }), "MFA_LOCKED");
      assert.deepEqual(await factorsOf(h(), u.userId), []);
    });
  },
  { clock },
);
