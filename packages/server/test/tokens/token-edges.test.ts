import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { newId } from "../../src/lib/ids.js";
import { signHs256Jwt, signJwt } from "../../src/services/tokens/jwt.js";
import { createApp, form, jwtPayload, type SignedInUser, signedInUser } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";

/**
 * The token service's edges, to the second (services/tokens/tokens.ts): when an access or refresh
 * token stops, which signed tokens are not access tokens, what introspection tells, what a refresh
 * or revocation by the wrong client does. The injected clock starts on a whole second.
 */
const clock = new FakeClock();
const ACCESS_S = 7200;
const REFRESH_S = 30 * 86400;
const REFRESH_INVALID = "refresh token is invalid, expired or revoked";

const profile = (h: Harness, token: string) =>
  h.api("GET", "/api/v3/get-my-logged-in-apps", undefined, { authorization: token });
const creds = (h: Harness) => ({ client_id: h.boot.appId, client_secret: h.boot.appSecret });
const refresh = (h: Harness, token: string, client = creds(h)) =>
  form(h, "/oidc/token", { grant_type: "refresh_token", refresh_token: token, ...client });
const introspect = (h: Harness, token: string, client = creds(h)) =>
  form(h, "/oidc/token/introspection", { token, ...client });
const revoke = (h: Harness, token: string, client = creds(h)) =>
  form(h, "/oidc/token/revocation", { token, ...client });
const sessionOf = (h: Harness, token: string) =>
  h.ctx.db.kysely
    .selectFrom("sessions")
    .selectAll()
    .where("id", "=", jwtPayload(token).sid)
    .executeTakeFirstOrThrow();

let users = 0;
const user = (h: Harness, scope = "openid offline_access"): Promise<SignedInUser> =>
  signedInUser(h, `edge-${++users}@example.com`, "edge-pw-1234", scope);

describeEachDialect(
  "tokens: the edges",
  (h) => {
    it("an access token works until the millisecond before exp and answers 2206 from exp on", async () => {
      const t = await user(h(), "openid");
      const exp = jwtPayload(t.access_token).exp * 1000;
      clock.advance(exp - clock.now() - 1);
      assert.equal((await profile(h(), t.access_token)).statusCode, 200);
      clock.advance(1);
      assert.deepEqual(
        [(await profile(h(), t.access_token)).statusCode, (await profile(h(), t.access_token)).apiCode],
        [401, 2206],
      );
    });

    it("nbf: up to 30 s ahead is tolerated (other nodes' clocks), 31 s is not", async () => {
      const t = await user(h(), "openid");
      const p = jwtPayload(t.access_token);
      const key = h().ctx.signingKeys.current();
      const now = Math.floor(clock.now() / 1000);
      const at = (nbf: number) => signJwt({ ...p, jti: newId(), nbf }, key, "at+jwt");
      assert.equal((await profile(h(), at(now + 30))).statusCode, 200);
      assert.equal((await profile(h(), at(now + 31))).apiCode, 2207);
    });

    it("a token signed with the server's key is an access token only with at+jwt, our issuer and every claim typed", async () => {
      const t = await user(h(), "openid");
      const p = jwtPayload(t.access_token);
      const key = h().ctx.signingKeys.current();
      const signed = (claims: Record<string, unknown>, typ = "at+jwt") =>
        signJwt({ ...claims, jti: claims.jti === undefined ? undefined : newId() }, key, typ);
      assert.equal((await profile(h(), signed(p))).statusCode, 200, "the same claims re-signed pass");
      const { sub, sid, aud, jti, exp, ...rest } = p;
      const refused: [string, string][] = [
        ["typed as an ID token", signed(p, "JWT")],
        ["another issuer", signed({ ...p, iss: "https://elsewhere.example/oidc" })],
        ["no sub", signed({ sid, aud, jti, exp, ...rest })],
        ["sub a number", signed({ ...p, sub: 1 })],
        ["no sid", signed({ sub, aud, jti, exp, ...rest })],
        ["aud a list", signed({ ...p, aud: [aud] })],
        ["no jti", signJwt({ sub, sid, aud, exp, ...rest }, key, "at+jwt")],
        ["exp a string", signed({ ...p, exp: String(exp) })],
        ["no exp", signed({ sub, sid, aud, jti, ...rest })],
      ];
      for (const [why, token] of refused) {
        const r = await profile(h(), token);
        assert.deepEqual([r.statusCode, r.apiCode], [401, 2207], why);
      }
      const id = await user(h());
      assert.equal((await profile(h(), id.id_token)).apiCode, 2207, "the ID token is no access token");
    });

    it("a refresh token works until the millisecond before its lifetime ends, long after the access token", async () => {
      const t = await user(h());
      clock.advance(REFRESH_S * 1000 - 1);
      const r = await refresh(h(), t.refresh_token);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((await profile(h(), r.body.access_token)).statusCode, 200, "the session was extended");
      const late = await user(h());
      clock.advance(REFRESH_S * 1000);
      const refused = await refresh(h(), late.refresh_token);
      assert.deepEqual(
        [refused.status, refused.body],
        [400, { error: "invalid_grant", error_description: REFRESH_INVALID }],
      );
    });

    it("an offline login's session lasts as long as its refresh token; any other one as long as its access token", async () => {
      const offline = await user(h());
      const online = await user(h(), "openid");
      const now = clock.now();
      assert.equal((await sessionOf(h(), offline.access_token)).expires_at, now + REFRESH_S * 1000);
      assert.equal((await sessionOf(h(), online.access_token)).expires_at, now + ACCESS_S * 1000);
    });

    it("a reused refresh token ends the session as refresh_token_reuse; a foreign client's try ends nothing", async () => {
      const t = await user(h());
      const other = await createApp(h(), "client_secret_post");
      const foreign = await refresh(h(), t.refresh_token, {
        client_id: other.appId,
        client_secret: other.appSecret,
      });
      assert.deepEqual(foreign.body, { error: "invalid_grant", error_description: REFRESH_INVALID });
      assert.equal((await sessionOf(h(), t.access_token)).ended_at, null);
      assert.equal((await refresh(h(), t.refresh_token)).status, 200);
      const reuse = await refresh(h(), t.refresh_token);
      assert.deepEqual(reuse.body, { error: "invalid_grant", error_description: REFRESH_INVALID });
      const s = await sessionOf(h(), t.access_token);
      assert.deepEqual([s.end_reason, s.ended_at], ["refresh_token_reuse", clock.now()]);
    });

    it("a refresh for a user no longer activated is invalid_grant", async () => {
      const t = await user(h());
      // The repository write alone: suspending through the API also ends the sessions.
      await h().ctx.repos.users.updateUser(h().boot.userPoolId, t.userId, { status: "Suspended" });
      assert.deepEqual((await refresh(h(), t.refresh_token)).body, {
        error: "invalid_grant",
        error_description: REFRESH_INVALID,
      });
    });

    it("introspection of an access token: its own claims, to the second", async () => {
      const t = await user(h());
      const p = jwtPayload(t.access_token);
      const r = await introspect(h(), t.access_token);
      assert.deepEqual(r.body, {
        active: true,
        sub: t.userId,
        client_id: h().boot.appId,
        aud: h().boot.appId,
        exp: p.exp,
        iat: p.iat,
        iss: "http://localhost:3000/oidc",
        jti: p.jti,
        sid: p.sid,
        scope: "openid offline_access",
        token_type: "Bearer",
      });
    });

    it('introspection of a server-signed access token without scope says scope ""', async () => {
      const t = await user(h(), "openid");
      const { scope: _scope, ...p } = jwtPayload(t.access_token);
      const token = signJwt({ ...p, jti: newId() }, h().ctx.signingKeys.current(), "at+jwt");
      const r = await introspect(h(), token);
      assert.deepEqual([r.body.active, r.body.scope], [true, ""]);
    });

    it("introspection of a refresh token: its lifetime and session; inactive once rotated, expired or its session ended", async () => {
      const t = await user(h());
      const created = Math.floor(clock.now() / 1000);
      clock.advance(5_000);
      const r = await introspect(h(), t.refresh_token);
      assert.deepEqual(r.body, {
        active: true,
        sub: t.userId,
        client_id: h().boot.appId,
        aud: h().boot.appId,
        exp: created + REFRESH_S,
        iat: created,
        iss: "http://localhost:3000/oidc",
        sid: jwtPayload(t.access_token).sid,
        scope: "openid offline_access",
        token_type: "refresh_token",
      });
      const other = await createApp(h(), "client_secret_post");
      const foreign = await introspect(h(), t.refresh_token, {
        client_id: other.appId,
        client_secret: other.appSecret,
      });
      assert.deepEqual(foreign.body, { active: false });

      const next = (await refresh(h(), t.refresh_token)).body.refresh_token;
      assert.deepEqual((await introspect(h(), t.refresh_token)).body, { active: false }, "rotated");
      assert.equal((await introspect(h(), next)).body.active, true);

      const ending = await user(h());
      await h().ctx.sessions.end(jwtPayload(ending.access_token).sid, "test");
      assert.deepEqual(
        (await introspect(h(), ending.refresh_token)).body,
        { active: false },
        "session ended",
      );

      const expiring = await user(h());
      clock.advance(REFRESH_S * 1000 - 1);
      assert.equal((await introspect(h(), expiring.refresh_token)).body.active, true);
      clock.advance(1);
      assert.deepEqual((await introspect(h(), expiring.refresh_token)).body, { active: false }, "expired");
    });

    it("revocation by another client ends nothing, for either token", async () => {
      const t = await user(h());
      const other = await createApp(h(), "client_secret_post");
      const as = { client_id: other.appId, client_secret: other.appSecret };
      assert.equal((await revoke(h(), t.access_token, as)).status, 200);
      assert.equal((await revoke(h(), t.refresh_token, as)).status, 200);
      assert.equal((await sessionOf(h(), t.access_token)).ended_at, null);
      assert.equal((await profile(h(), t.access_token)).statusCode, 200);
    });

    it("revocation of a token signed with our key but naming another issuer, or no session, ends nothing", async () => {
      const t = await user(h());
      const p = jwtPayload(t.access_token);
      const key = h().ctx.signingKeys.current();
      const { sid: _sid, ...noSid } = p;
      assert.equal(
        (await revoke(h(), signJwt({ ...p, iss: "https://elsewhere.example/oidc" }, key, "at+jwt"))).status,
        200,
      );
      assert.equal((await revoke(h(), signJwt(p, key, "JWT"))).status, 200);
      assert.equal((await revoke(h(), signJwt(noSid, key, "at+jwt"))).status, 200);
      assert.equal((await sessionOf(h(), t.access_token)).ended_at, null);
      assert.equal((await revoke(h(), t.access_token)).status, 200);
      assert.equal((await sessionOf(h(), t.access_token)).end_reason, "revoked");
    });

    it("session/end: a hint signed with our key is taken only as our ID token naming sid, aud and sub", async () => {
      const t = await user(h());
      const p = jwtPayload(t.id_token);
      const key = h().ctx.signingKeys.current();
      const { sid, aud, sub, ...rest } = p;
      const hints: [string, string][] = [
        ["an access token", t.access_token],
        ["another issuer", signJwt({ ...p, iss: "https://elsewhere.example/oidc" }, key, "JWT")],
        ["no sid", signJwt({ aud, sub, ...rest }, key, "JWT")],
        ["aud a list", signJwt({ ...p, aud: [aud] }, key, "JWT")],
        ["sub a number", signJwt({ ...p, sub: 7 }, key, "JWT")],
      ];
      for (const [why, hint] of hints) {
        const r = await h().inject({ method: "GET", url: `/oidc/session/end?id_token_hint=${hint}` });
        assert.deepEqual([r.statusCode, r.json().error], [400, "invalid_request"], why);
      }
      assert.equal((await sessionOf(h(), t.access_token)).ended_at, null);
      const ok = await h().inject({ method: "GET", url: `/oidc/session/end?id_token_hint=${t.id_token}` });
      assert.equal(ok.statusCode, 200);
      assert.notEqual((await sessionOf(h(), t.access_token)).ended_at, null);
    });

    it("session/end: an HS256 hint must name its own application's session and that session's user", async () => {
      const app = await createApp(h(), "client_secret_post", { idTokenSignedResponseAlg: "HS256" });
      const t = await user(h());
      const login = await h().api(
        "POST",
        "/api/v3/signin",
        {
          connection: "PASSWORD",
          passwordPayload: { email: `edge-${users}@example.com`, password: "edge-pw-1234" },
          options: { scope: "openid" },
          client_id: app.appId,
          client_secret: app.appSecret,
        },
        { "x-authing-app-id": app.appId },
      );
      assert.equal(login.statusCode, 200, JSON.stringify(login));
      const p = jwtPayload(login.data.id_token);
      const other = await user(h());
      const hints: [string, string][] = [
        ["another user", signHs256Jwt({ ...p, sub: other.userId }, app.appSecret, "JWT")],
        ["aud a list", signHs256Jwt({ ...p, aud: [app.appId] }, app.appSecret, "JWT")],
      ];
      for (const [why, hint] of hints) {
        const r = await h().inject({ method: "GET", url: `/oidc/session/end?id_token_hint=${hint}` });
        assert.deepEqual([r.statusCode, r.json().error], [400, "invalid_request"], why);
      }
      assert.equal((await sessionOf(h(), login.data.access_token)).ended_at, null);
      assert.equal((await sessionOf(h(), t.access_token)).ended_at, null);
      const ok = await h().inject({
        method: "GET",
        url: `/oidc/session/end?id_token_hint=${login.data.id_token}`,
      });
      assert.equal(ok.statusCode, 200);
      assert.notEqual((await sessionOf(h(), login.data.access_token)).ended_at, null);
    });
  },
  { clock },
);
