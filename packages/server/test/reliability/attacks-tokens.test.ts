import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { newId, newSecret } from "../../src/lib/ids.js";
import { defaultAppConfig } from "../../src/services/admin/bootstrap.js";
import { signJwt } from "../../src/services/tokens/jwt.js";
import { jwtHeader, jwtPayload, signedInUser } from "../helpers/auth.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { createOtherPool, mgmt, randomNonce } from "../helpers/management.js";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/** Where a stolen or forged access token is tried: the API (envelope) and /oidc/me (OAuth). */
async function refusedEverywhere(h: Harness, token: string, expectApiCode = 2207, appId?: string) {
  const api = await h.api("GET", "/api/v3/get-profile", undefined, {
    authorization: token,
    "x-authing-app-id": appId ?? h.boot.appId,
  });
  assert.equal(api.statusCode, 401, JSON.stringify(api));
  assert.equal(api.apiCode, expectApiCode, JSON.stringify(api));
  // /oidc/me names no application: there a pool's own valid token is fine.
  if (appId) return;
  const me = await h.inject({
    method: "GET",
    url: "/oidc/me",
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(me.statusCode, 401, me.body);
  assert.equal(me.json().error, "invalid_token");
}

async function acceptedEverywhere(h: Harness, token: string) {
  assert.equal(
    (await h.api("GET", "/api/v3/get-profile", undefined, { authorization: token })).statusCode,
    200,
  );
  const me = await h.inject({
    method: "GET",
    url: "/oidc/me",
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(me.statusCode, 200, me.body);
}

/** A second pool with its own application, for cross-tenant attacks. */
async function otherPoolWithApp(h: Harness) {
  const pool = await createOtherPool(h);
  const now = h.ctx.clock.now();
  const app = { id: newId(), secret: newSecret() };
  await h.ctx.repos.applications.insertApplication({
    id: app.id,
    pool_id: pool.id,
    name: "pool B app",
    identifier: `b-${app.id}`,
    secret: h.ctx.keys.box.seal("app-secret", app.id, app.secret),
    app_type: "web",
    token_endpoint_auth_method: "client_secret_post",
    config: JSON.stringify(defaultAppConfig()),
    created_at: now,
    updated_at: now,
  });
  return { pool, app };
}

const clock = new FakeClock(Date.now());

describeEachDialect(
  "attacks on tokens",
  (h) => {
    let token = "";
    it("setup: a signed-in user whose token works", async () => {
      token = (await signedInUser(h(), "victim@example.com", "victim-password-1")).access_token;
      await acceptedEverywhere(h(), token);
    });

    it('JWT "alg: none" with the same claims is refused', async () => {
      const forged = `${b64({ ...jwtHeader(token), alg: "none" })}.${b64(jwtPayload(token))}.`;
      await refusedEverywhere(h(), forged);
      const noSig = `${b64({ ...jwtHeader(token), alg: "none" })}.${b64(jwtPayload(token))}`;
      await refusedEverywhere(h(), noSig);
    });

    it("HS256 signed with the server's public key (PEM or JWK) is refused", async () => {
      const jwks = (await h().inject({ method: "GET", url: "/oidc/.well-known/jwks.json" })).json();
      const jwk = jwks.keys[0];
      const pem = h().ctx.signingKeys.publicKey(jwk.kid)!.export({ type: "spki", format: "pem" }) as string;
      for (const secret of [pem, JSON.stringify(jwk), jwk.n]) {
        const input = `${b64({ alg: "HS256", typ: "at+jwt", kid: jwk.kid })}.${b64(jwtPayload(token))}`;
        const sig = createHmac("sha256", secret).update(input).digest("base64url");
        await refusedEverywhere(h(), `${input}.${sig}`);
      }
    });

    it("a token with a changed claim (another user, more scope) fails its signature", async () => {
      const p = jwtPayload(token);
      const [head, , sig] = token.split(".");
      for (const changed of [
        { ...p, sub: "someone-else" },
        { ...p, scope: `${p.scope} admin` },
      ]) {
        await refusedEverywhere(h(), `${head}.${b64(changed)}.${sig}`);
      }
    });

    it("a token from pool A is refused by pool B's application, and pool B's client learns nothing about it", async () => {
      const { app } = await otherPoolWithApp(h());
      await refusedEverywhere(h(), token, 2207, app.id);
      const introspect = await h().inject({
        method: "POST",
        url: "/oidc/token/introspection",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({ token, client_id: app.id, client_secret: app.secret }).toString(),
      });
      assert.deepEqual(introspect.json(), { active: false });
      // And pool B's client cannot revoke it.
      await h().inject({
        method: "POST",
        url: "/oidc/token/revocation",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({ token, client_id: app.id, client_secret: app.secret }).toString(),
      });
      await acceptedEverywhere(h(), token);
    });

    it("a token signed by the server but not valid yet (nbf in the future) is refused", async () => {
      const p = jwtPayload(token);
      const key = h().ctx.signingKeys.current();
      const now = Math.floor(h().ctx.clock.now() / 1000);
      const early = signJwt({ ...p, jti: newId(), iat: now, nbf: now + 3600 }, key, "at+jwt");
      await refusedEverywhere(h(), early);
      // The same claims without nbf are fine: the refusal is about nbf alone.
      await acceptedEverywhere(h(), signJwt({ ...p, jti: newId(), iat: now }, key, "at+jwt"));
    });

    it("an expired token answers 401/2206 (and invalid_token on /oidc)", async () => {
      const t = (await signedInUser(h(), "short-lived@example.com", "short-lived-pw-1")).access_token;
      await acceptedEverywhere(h(), t);
      clock.advance((jwtPayload(t).exp - jwtPayload(t).iat) * 1000 + 1000);
      await refusedEverywhere(h(), t, 2206);
    });

    it("the token of a deleted user is refused at once", async () => {
      const u = await signedInUser(h(), "to-delete@example.com", "to-delete-pw-1");
      await acceptedEverywhere(h(), u.access_token);
      const del = await mgmt(h(), "POST", "/api/v3/delete-users-batch", {
        body: { userIds: [u.userId] },
        nonce: randomNonce(),
      });
      assert.equal(del.statusCode, 200, JSON.stringify(del));
      await refusedEverywhere(h(), u.access_token);
    });
  },
  { clock },
);

describeEachDialect("attacks on the management API", (h) => {
  it("a signed request replayed with the same nonce is refused (1306)", async () => {
    const nonce = randomNonce();
    assert.equal((await mgmt(h(), "GET", "/api/v3/list-users", { nonce })).statusCode, 200);
    const replay = await mgmt(h(), "GET", "/api/v3/list-users", { nonce });
    assert.equal(replay.apiCode, 1306, JSON.stringify(replay));
  });

  it("a signature dated 16 minutes off either way is refused, 14 minutes is accepted", async () => {
    const now = h().ctx.clock.now();
    for (const skew of [-16, 16]) {
      const r = await mgmt(h(), "GET", "/api/v3/list-users", {
        nonce: randomNonce(),
        at: now + skew * 60_000,
      });
      assertApiError(r, "SIGNATURE_DATE_SKEW");
    }
    for (const skew of [-14, 14]) {
      const r = await mgmt(h(), "GET", "/api/v3/list-users", {
        nonce: randomNonce(),
        at: now + skew * 60_000,
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
    }
  });

  it("a request tampered with after signing (body, query) is refused", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { email: "signed@example.com", password: "signed-pw-1" },
      wireBody: JSON.stringify({ email: "tampered@example.com", password: "signed-pw-1" }),
      nonce: randomNonce(),
    });
    assertApiError(r, "SIGNATURE_INVALID");
    const users = await h().ctx.db.kysely.selectFrom("users").select("email").execute();
    assert.ok(!users.some((u) => u.email === "tampered@example.com" || u.email === "signed@example.com"));
  });

  it("pool B's key cannot read or change pool A's users, by signature or by token", async () => {
    const a = await signedInUser(h(), "pool-a-user@example.com", "pool-a-pw-1");
    const b = await createOtherPool(h());
    const key = { id: b.id, secret: b.secret };
    const read = await mgmt(h(), "GET", "/api/v3/get-user", {
      params: { userId: a.userId },
      key,
      nonce: randomNonce(),
    });
    // Pool B's key sees only pool B: pool A's user does not exist there.
    assertApiError(read, "USER_NOT_FOUND");
    const deleted = await mgmt(h(), "POST", "/api/v3/delete-users-batch", {
      body: { userIds: [a.userId] },
      key,
      nonce: randomNonce(),
    });
    assert.equal(deleted.statusCode, 200, JSON.stringify(deleted));
    assert.ok(
      await h().ctx.repos.users.findUserById(h().boot.userPoolId, a.userId),
      "pool A's user survived",
    );
    // A management token of pool B, pointed at pool A.
    const issued = await h().api("POST", "/api/v3/get-management-token", {
      accessKeyId: b.id,
      accessKeySecret: b.secret,
    });
    const viaToken = await h().api("GET", `/api/v3/get-user?userId=${a.userId}`, undefined, {
      authorization: `Bearer ${issued.data.access_token}`,
      "x-authing-userpool-id": h().boot.userPoolId,
    });
    assertApiError(viaToken, "MANAGEMENT_POOL_MISMATCH");
  });

  it("a signature made with pool A's id but pool B's secret is refused", async () => {
    const b = await createOtherPool(h());
    const r = await mgmt(h(), "GET", "/api/v3/list-users", {
      key: { id: h().boot.userPoolId, secret: b.secret },
      nonce: randomNonce(),
    });
    assertApiError(r, "SIGNATURE_INVALID");
  });
});
