import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { it } from "node:test";
import { compactVerify, createLocalJWKSet, jwtVerify } from "jose";
import { sql } from "kysely";
import { buildApp } from "../../src/app.js";
import { createContext } from "../../src/context.js";
import { FakeClock } from "../../src/lib/clock.js";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import { createApp, form, jwtHeader, jwtPayload, signedInUser, signInByPassword } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";

const clock = new FakeClock();

const profile = (h: Harness, token: string | undefined) =>
  h.api(
    "GET",
    "/api/v3/get-my-logged-in-apps",
    undefined,
    token === undefined ? {} : { authorization: token },
  );

const refresh = (h: Harness, token: string, extra: Record<string, string> = {}) =>
  form(h, "/oidc/token", {
    grant_type: "refresh_token",
    refresh_token: token,
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
    ...extra,
  });

describeEachDialect(
  "tokens",
  (h) => {
    it("the access token is an RS256 JWT with iss, sub, aud, iat, exp, scope, jti and sid, verifiable with the JWKS", async () => {
      const t = await signedInUser(h(), "ivan@example.com");
      const header = jwtHeader(t.access_token);
      assert.equal(header.alg, "RS256");
      assert.equal(header.typ, "at+jwt");
      const jwks = (await h().inject({ method: "GET", url: "/oidc/.well-known/jwks.json" })).json();
      assert.ok(jwks.keys.some((k: any) => k.kid === header.kid && k.alg === "RS256" && !("d" in k)));
      const { payload } = await jwtVerify(t.access_token, createLocalJWKSet(jwks), {
        issuer: "http://localhost:3000/oidc",
        audience: h().boot.appId,
        currentDate: new Date(clock.now()),
      });
      assert.equal(payload.sub, t.userId);
      assert.equal(payload.scope, "openid profile");
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 7200);
      assert.equal(typeof payload.jti, "string");
      assert.equal(typeof payload.sid, "string");
    });

    it("the ID token carries scope-filtered claims, sid and at_hash", async () => {
      await h().api("POST", "/api/v3/signup", {
        connection: "PASSWORD",
        passwordPayload: { email: "judy@example.com", username: "judy", password: "judy-pw-1" },
        profile: { name: "Judy", nickname: "J" },
      });
      const narrow = await signInByPassword(h(), { email: "judy@example.com", password: "judy-pw-1" });
      const id = jwtPayload(narrow.data.id_token);
      assert.equal(id.iss, "http://localhost:3000/oidc");
      assert.equal(id.aud, h().boot.appId);
      assert.equal(id.name, "Judy");
      assert.equal(id.nickname, "J");
      assert.equal(id.email, undefined, "no email claim without the email scope");
      assert.equal(id.sid, jwtPayload(narrow.data.access_token).sid);
      const digest = createHash("sha256").update(narrow.data.access_token).digest();
      assert.equal(id.at_hash, digest.subarray(0, 16).toString("base64url"));

      const wide = await signInByPassword(
        h(),
        { email: "judy@example.com", password: "judy-pw-1" },
        { scope: "openid email username" },
      );
      const id2 = jwtPayload(wide.data.id_token);
      assert.equal(id2.email, "judy@example.com");
      assert.equal(id2.email_verified, false);
      assert.equal(id2.username, "judy");
      assert.equal(id2.name, undefined, "no profile claims without the profile scope");
    });

    it("an ID token includes the nonce it was asked for", async () => {
      const user = await findUserByEmail(h().ctx.repos, h().boot.userPoolId, "judy@example.com");
      const app = await h().ctx.repos.applications.findApplicationById(h().boot.appId);
      if (!user || !app) throw new Error("setup");
      const set = await h().ctx.tokens.issueForLogin({
        app,
        user,
        scope: "openid",
        nonce: "n-0S6_WzA2Mj",
        ip: null,
        userAgent: null,
      });
      assert.equal(jwtPayload(set.id_token ?? "").nonce, "n-0S6_WzA2Mj");
    });

    it("lifetimes come from the application's config", async () => {
      const short = await createApp(h(), "client_secret_post", { accessTokenExpiresIn: 600 });
      const res = await h().api(
        "POST",
        "/api/v3/signin",
        {
          connection: "PASSWORD",
          passwordPayload: { email: "judy@example.com", password: "judy-pw-1" },
          client_id: short.appId,
          client_secret: short.appSecret,
        },
        { "x-authing-app-id": short.appId },
      );
      assert.equal(res.data.expire_in, 600);
      const p = jwtPayload(res.data.access_token);
      assert.equal(p.exp - p.iat, 600);
    });

    it("/api/v3 user routes: missing 401/2020, bare and Bearer accepted, garbage 401/2207", async () => {
      const t = await signedInUser(h(), "kim@example.com");
      const missing = await profile(h(), undefined);
      assert.deepEqual([missing.statusCode, missing.apiCode], [401, 2020]);
      assert.equal((await profile(h(), t.access_token)).statusCode, 200);
      assert.equal((await profile(h(), `Bearer ${t.access_token}`)).statusCode, 200);
      for (const bad of ["garbage", `${t.access_token}x`, `Basic ${t.access_token}`, t.id_token]) {
        const r = await profile(h(), bad);
        assert.deepEqual([r.statusCode, r.apiCode], [401, 2207], bad.slice(0, 20));
      }
    });

    it("an expired access token is 401/2206", async () => {
      const t = await signedInUser(h(), "leo@example.com");
      clock.advance(7201 * 1000);
      const r = await profile(h(), t.access_token);
      assert.deepEqual([r.statusCode, r.apiCode], [401, 2206]);
    });

    it("refresh rotates the refresh token; reusing the old one revokes the whole session", async () => {
      const t = await signedInUser(h(), "mia@example.com", "mia-pw-123", "openid profile offline_access");
      const first = await refresh(h(), t.refresh_token);
      assert.equal(first.status, 200);
      assert.equal(first.headers["cache-control"], "no-store");
      assert.deepEqual(Object.keys(first.body).sort(), [
        "access_token",
        "expires_in",
        "id_token",
        "refresh_token",
        "scope",
        "token_type",
      ]);
      assert.notEqual(first.body.refresh_token, t.refresh_token);
      assert.equal(jwtPayload(first.body.access_token).sid, jwtPayload(t.access_token).sid);
      const second = await refresh(h(), first.body.refresh_token);
      assert.equal(second.status, 200);

      const reuse = await refresh(h(), t.refresh_token);
      assert.equal(reuse.status, 400);
      assert.equal(reuse.body.error, "invalid_grant");
      // theft detected: every token of the session is dead
      assert.equal((await refresh(h(), second.body.refresh_token)).body.error, "invalid_grant");
      assert.equal((await profile(h(), second.body.access_token)).apiCode, 2207);
      assert.equal((await profile(h(), t.access_token)).apiCode, 2207);
    });

    it("parallel refreshes with one token: exactly one succeeds, the others are invalid_grant and the session ends", async () => {
      const t = await signedInUser(h(), "nia@example.com", "nia-pw-123", "openid offline_access");
      const results = await Promise.all(Array.from({ length: 5 }, () => refresh(h(), t.refresh_token)));
      const winners = results.filter((r) => r.status === 200);
      const losers = results.filter((r) => r.status !== 200);
      assert.equal(winners.length, 1);
      assert.equal(losers.length, 4);
      for (const r of losers) {
        assert.equal(r.status, 400);
        assert.equal(r.body.error, "invalid_grant");
      }
      // A lost race is the same theft signal as a later reuse ("a reused one ends the session"): the
      // session ends, so even the winner's fresh tokens are refused.
      const again = await refresh(h(), winners[0].body.refresh_token);
      assert.equal(again.status, 400);
      assert.equal(again.body.error, "invalid_grant");
      assert.deepEqual(
        [
          (await profile(h(), winners[0].body.access_token)).apiCode,
          (await profile(h(), t.access_token)).apiCode,
        ],
        [2207, 2207],
      );
    });

    it("a refresh that read the token before a parallel one rotated it loses with invalid_grant and ends the session", async () => {
      const t = await signedInUser(h(), "noor@example.com", "noor-pw-123", "openid offline_access");
      // Hold every caller after its read of the token until all have read it, so each sees the token
      // unrotated and the race is decided by the atomic rotation alone (on SQLite the callers
      // otherwise arrive one after another and the losers see an already rotated token).
      const repo = h().ctx.repos.sessions;
      const read = repo.findRefreshTokenWithSession;
      const callers = 3;
      let arrived = 0;
      let release!: () => void;
      const allRead = new Promise<void>((resolve) => {
        release = resolve;
      });
      repo.findRefreshTokenWithSession = async (...args) => {
        const row = await read(...args);
        if (++arrived === callers) release();
        await allRead;
        return row;
      };
      let results: Awaited<ReturnType<typeof refresh>>[];
      try {
        results = await Promise.all(Array.from({ length: callers }, () => refresh(h(), t.refresh_token)));
      } finally {
        repo.findRefreshTokenWithSession = read;
      }
      const winners = results.filter((r) => r.status === 200);
      assert.equal(winners.length, 1);
      assert.deepEqual(
        results.filter((r) => r.status !== 200).map((r) => [r.status, r.body.error]),
        [
          [400, "invalid_grant"],
          [400, "invalid_grant"],
        ],
      );
      const again = await refresh(h(), winners[0].body.refresh_token);
      assert.deepEqual([again.status, again.body.error], [400, "invalid_grant"]);
      assert.equal((await profile(h(), winners[0].body.access_token)).apiCode, 2207);
      const session = await h()
        .ctx.db.kysely.selectFrom("sessions")
        .select("end_reason")
        .where("id", "=", jwtPayload(t.access_token).sid)
        .executeTakeFirstOrThrow();
      assert.equal(session.end_reason, "refresh_token_reuse", "a lost race is recorded as a reuse");
    });

    it("a refresh whose batch fails for the server's own reason is a server_error, not a reuse: the token still works", async () => {
      const t = await signedInUser(h(), "noor-fault@example.com", "noor-pw-123", "openid offline_access");
      const db = h().ctx.db.kysely;
      // The refresh's event is the last write of its batch: make it fail.
      await sql`ALTER TABLE events RENAME TO events_away`.execute(db);
      let faulted: Awaited<ReturnType<typeof refresh>>;
      try {
        faulted = await refresh(h(), t.refresh_token);
      } finally {
        await sql`ALTER TABLE events_away RENAME TO events`.execute(db);
      }
      assert.deepEqual([faulted.status, faulted.body.error], [500, "server_error"]);
      const session = await db
        .selectFrom("sessions")
        .select("end_reason")
        .where("id", "=", jwtPayload(t.access_token).sid)
        .executeTakeFirstOrThrow();
      assert.equal(session.end_reason, null, "a storage failure ends no session");
      const again = await refresh(h(), t.refresh_token);
      assert.equal(again.status, 200, JSON.stringify(again.body));
    });

    it("a refresh token works only for its own client, and may narrow but not widen the scope", async () => {
      const t = await signedInUser(h(), "olga@example.com", "olga-pw-123", "openid profile offline_access");
      const other = await createApp(h(), "client_secret_post");
      const foreign = await form(h(), "/oidc/token", {
        grant_type: "refresh_token",
        refresh_token: t.refresh_token,
        client_id: other.appId,
        client_secret: other.appSecret,
      });
      assert.equal(foreign.body.error, "invalid_grant");
      const wider = await refresh(h(), t.refresh_token, { scope: "openid email" });
      assert.equal(wider.body.error, "invalid_scope");
      const narrower = await refresh(h(), t.refresh_token, { scope: "openid" });
      assert.equal(narrower.status, 200);
      assert.equal(narrower.body.scope, "openid");
    });

    it("the token endpoint needs client authentication and a known grant", async () => {
      const noClient = await form(h(), "/oidc/token", { grant_type: "refresh_token", refresh_token: "x" });
      assert.equal(noClient.status, 401);
      assert.equal(noClient.body.error, "invalid_client");
      const grant = await form(h(), "/oidc/token", {
        grant_type: "password",
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
      assert.equal(grant.status, 400);
      assert.equal(grant.body.error, "unsupported_grant_type");
      const missing = await form(h(), "/oidc/token", {
        grant_type: "refresh_token",
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
      assert.equal(missing.body.error, "invalid_request");
    });

    it("introspection (RFC 7662) describes live tokens of the asking client only", async () => {
      const t = await signedInUser(h(), "pia@example.com", "pia-pw-1234", "openid offline_access");
      const creds = { client_id: h().boot.appId, client_secret: h().boot.appSecret };
      const at = await form(h(), "/oidc/token/introspection", { token: t.access_token, ...creds });
      assert.equal(at.status, 200);
      assert.equal(at.body.active, true);
      assert.equal(at.body.sub, t.userId);
      assert.equal(at.body.client_id, h().boot.appId);
      assert.equal(at.body.token_type, "Bearer");
      assert.equal(at.body.scope, "openid offline_access");
      for (const k of ["exp", "iat", "iss", "jti"]) assert.ok(at.body[k] !== undefined, k);
      const rt = await form(h(), "/oidc/token/introspection", { token: t.refresh_token, ...creds });
      assert.equal(rt.body.active, true);
      assert.equal(rt.body.token_type, "refresh_token");
      const junk = await form(h(), "/oidc/token/introspection", { token: "junk", ...creds });
      assert.deepEqual(junk.body, { active: false });
      const other = await createApp(h(), "client_secret_post");
      const foreign = await form(h(), "/oidc/token/introspection", {
        token: t.access_token,
        client_id: other.appId,
        client_secret: other.appSecret,
      });
      assert.deepEqual(foreign.body, { active: false });
    });

    it("revoking the access token (RFC 7009) ends its session at once: /api/v3, /oidc/me, refresh", async () => {
      const t = await signedInUser(h(), "quin@example.com", "quin-pw-123", "openid offline_access");
      const creds = { client_id: h().boot.appId, client_secret: h().boot.appSecret };
      assert.equal((await profile(h(), t.access_token)).statusCode, 200, "warms the session cache");
      const res = await form(h(), "/oidc/token/revocation", { token: t.access_token, ...creds });
      assert.equal(res.status, 200);
      assert.equal((await profile(h(), t.access_token)).apiCode, 2207);
      const me = await h().inject({ method: "GET", url: `/oidc/me?access_token=${t.access_token}` });
      assert.equal(me.statusCode, 401);
      assert.equal((await refresh(h(), t.refresh_token)).body.error, "invalid_grant");
      const intro = await form(h(), "/oidc/token/introspection", { token: t.access_token, ...creds });
      assert.equal(intro.body.active, false);
    });

    it("revoking the refresh token ends the session; unknown tokens are answered 200", async () => {
      const t = await signedInUser(h(), "ron@example.com", "ron-pw-1234", "openid offline_access");
      const creds = { client_id: h().boot.appId, client_secret: h().boot.appSecret };
      await form(h(), "/oidc/token/revocation", { token: t.refresh_token, ...creds });
      assert.equal((await profile(h(), t.access_token)).apiCode, 2207);
      assert.equal((await form(h(), "/oidc/token/revocation", { token: "unknown", ...creds })).status, 200);
    });

    it("ending a user's sessions (password change) stops their tokens, except the one kept", async () => {
      const a = await signedInUser(h(), "sam@example.com", "sam-pw-1234");
      const b = await signInByPassword(h(), { email: "sam@example.com", password: "sam-pw-1234" });
      const keep = jwtPayload(b.data.access_token).sid;
      await h().ctx.sessions.endUserSessions(h().boot.userPoolId, a.userId, { exceptSessionId: keep });
      assert.equal((await profile(h(), a.access_token)).apiCode, 2207);
      assert.equal((await profile(h(), b.data.access_token)).statusCode, 200);
      await h().ctx.sessions.endUserSessions(h().boot.userPoolId, a.userId);
      assert.equal((await profile(h(), b.data.access_token)).apiCode, 2207);
    });

    it("another node sharing the database honours a revocation within one second", async () => {
      const ctx2 = await createContext(h().ctx.config, { clock, logger: h().ctx.logger });
      const node2 = await buildApp(ctx2);
      try {
        const t = await signedInUser(h(), "tara@example.com", "tara-pw-123", "openid offline_access");
        const onNode2 = async () =>
          (
            await node2.inject({
              method: "GET",
              url: "/api/v3/get-my-logged-in-apps",
              headers: { authorization: t.access_token, "x-authing-app-id": h().boot.appId },
            })
          ).json();
        assert.equal(
          (await onNode2()).statusCode,
          200,
          "node 2 verifies node 1's token (shared signing key)",
        );
        await form(h(), "/oidc/token/revocation", {
          token: t.refresh_token,
          client_id: h().boot.appId,
          client_secret: h().boot.appSecret,
        });
        assert.equal((await profile(h(), t.access_token)).apiCode, 2207, "at once on the revoking node");
        clock.advance(1000);
        assert.equal((await onNode2()).apiCode, 2207, "within one second on the other node");
      } finally {
        await node2.close();
        await ctx2.close();
      }
    });

    it("key rotation: tokens signed with the previous key still verify; other nodes learn the new key", async () => {
      const before = await signedInUser(h(), "uma@example.com");
      const ctx2 = await createContext(h().ctx.config, { clock, logger: h().ctx.logger });
      try {
        const kid = await h().ctx.signingKeys.rotate();
        const jwks = h().ctx.signingKeys.jwks();
        assert.equal(jwks.keys.length, 2);
        assert.equal(jwks.keys[0].kid, kid);
        assert.equal((await profile(h(), before.access_token)).statusCode, 200);
        const after = await signInByPassword(h(), { email: "uma@example.com", password: "correct horse 1" });
        assert.equal(jwtHeader(after.data.access_token).kid, kid);
        clock.advance(1000);
        const check = await ctx2.tokens.checkAccessToken(after.data.access_token);
        assert.equal(check.ok, true);
        await compactVerify(after.data.id_token, createLocalJWKSet(jwks as any));
      } finally {
        await ctx2.close();
      }
    });

    it("after two rotations the oldest key is retired: its tokens are refused and it leaves the JWKS", async () => {
      const old = await signedInUser(h(), "vera@example.com");
      const oldKid = jwtHeader(old.access_token).kid;
      assert.equal((await profile(h(), old.access_token)).statusCode, 200);
      await h().ctx.signingKeys.rotate();
      await h().ctx.signingKeys.rotate();
      assert.equal(
        h()
          .ctx.signingKeys.jwks()
          .keys.some((k) => k.kid === oldKid),
        false,
      );
      assert.equal((await profile(h(), old.access_token)).apiCode, 2207);
    });

    it("expired refresh tokens are purged; live ones stay", async () => {
      const t = await signedInUser(h(), "walt@example.com", "walt-pw-123", "openid offline_access");
      clock.advance(31 * 86400 * 1000);
      const fresh = await signInByPassword(
        h(),
        { email: "walt@example.com", password: "walt-pw-123" },
        { scope: "openid offline_access" },
      );
      assert.ok((await h().ctx.repos.sessions.purgeExpiredRefreshTokens(clock.now())) >= 1);
      assert.equal((await refresh(h(), t.refresh_token)).body.error, "invalid_grant");
      assert.equal((await refresh(h(), fresh.data.refresh_token)).status, 200);
    });
  },
  { clock },
);
