import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { atHash } from "../../src/services/tokens/jwt.js";
import type { SigningKeys } from "../../src/services/tokens/signing-keys.js";
import type { LoginGrant } from "../../src/services/tokens/tokens.js";
import { createApp, jwtPayload, signedInUser } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { ownTokenService } from "../helpers/token-service.js";

/**
 * How a login opens its session (services/tokens/tokens.ts, `openSession`), called on the token
 * service itself: how long the session lasts, when a refresh token comes with it, what an ID token
 * answered alone carries, how the refresh token is stored; and the bound of the verified-token
 * cache. The injected clock starts on a whole second.
 */
const clock = new FakeClock();
const ACCESS_S = 7200;
const REFRESH_S = 30 * 86400;

let users = 0;
/** A fresh user's row, the default application's row and a session of theirs (a browser session). */
async function login(h: Harness) {
  const t = await signedInUser(h, `grant-${++users}@example.com`, "grant-pw-1234", "openid");
  const app = await h.ctx.repos.applications.findApplicationById(h.boot.appId);
  const user = await h.ctx.repos.users.findUserById(h.boot.userPoolId, t.userId);
  assert.ok(app && user);
  return { app, user, t };
}
const grantOf = (g: Awaited<ReturnType<typeof login>>, more: Partial<LoginGrant> = {}): LoginGrant => ({
  app: g.app,
  user: g.user,
  scope: "openid",
  ip: null,
  userAgent: null,
  ...more,
});
const sessionRow = (h: Harness, id: string) =>
  h.ctx.db.kysely.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const refreshRows = (h: Harness, sessionId: string) =>
  h.ctx.db.kysely.selectFrom("refresh_tokens").selectAll().where("session_id", "=", sessionId).execute();

describeEachDialect(
  "tokens: how a login opens its session",
  (h) => {
    it("an ID token answered alone: no access token (no at_hash), no refresh token even under offline_access, a session as long as an access token", async () => {
      const g = await login(h());
      const browser = jwtPayload(g.t.access_token).sid;
      const authTime = clock.now() - 5_000;
      let alongsideFor: string | undefined;
      const { id_token, ...rest } = await h().ctx.tokens.issueIdTokenForLogin(
        grantOf(g, {
          scope: "openid offline_access",
          nonce: "n-0S6",
          ip: "203.0.113.9",
          userAgent: "agent/1",
          authTime,
          parentSessionId: browser,
          code: "the-authorization-code",
          amr: ["pwd"],
        }),
        (sessionId) => {
          alongsideFor = sessionId;
          return [];
        },
      );
      assert.deepEqual(rest, {}, "only the ID token is answered");
      const p = jwtPayload(id_token);
      assert.equal(p.at_hash, undefined, "no access token was signed");
      assert.equal(p.c_hash, atHash("the-authorization-code"));
      assert.equal(p.nonce, "n-0S6");
      assert.equal(p.auth_time, Math.floor(authTime / 1000));
      assert.deepEqual(p.amr, ["pwd"]);
      assert.equal(alongsideFor, p.sid, "the caller's steps are written for this session");
      const s = await sessionRow(h(), p.sid);
      assert.deepEqual(
        [s.expires_at, s.ip, s.user_agent, s.parent_session_id, s.amr, s.scope, s.ended_at],
        [
          clock.now() + ACCESS_S * 1000,
          "203.0.113.9",
          "agent/1",
          browser,
          "pwd",
          "openid offline_access",
          null,
        ],
      );
      assert.deepEqual(await refreshRows(h(), p.sid), [], "nobody would receive a refresh token");
    });

    it("an ID token answered alone needs the openid scope", async () => {
      const g = await login(h());
      await assert.rejects(h().ctx.tokens.issueIdTokenForLogin(grantOf(g, { scope: "profile" })), {
        message: "an ID token needs the openid scope",
      });
    });

    it("a login with a code (hybrid) binds it in the ID token's c_hash; without one there is none", async () => {
      const g = await login(h());
      const withCode = await h().ctx.tokens.issueForLogin(grantOf(g, { code: "hybrid-code" }));
      assert.equal(jwtPayload(withCode.id_token as string).c_hash, atHash("hybrid-code"));
      const without = await h().ctx.tokens.issueForLogin(grantOf(g));
      assert.equal(jwtPayload(without.id_token as string).c_hash, undefined);
    });

    it("refresh: true brings a refresh token without offline_access; refresh: false withholds it despite offline_access", async () => {
      const g = await login(h());
      const asked = await h().ctx.tokens.issueForLogin(grantOf(g, { refresh: true }));
      assert.equal(typeof asked.refresh_token, "string");
      const sid = jwtPayload(asked.access_token).sid;
      assert.equal((await refreshRows(h(), sid)).length, 1);
      assert.equal((await sessionRow(h(), sid)).expires_at, clock.now() + REFRESH_S * 1000);
      const withheld = await h().ctx.tokens.issueForLogin(
        grantOf(g, { scope: "openid offline_access", refresh: false }),
      );
      assert.equal(withheld.refresh_token, undefined);
      assert.deepEqual(await refreshRows(h(), jwtPayload(withheld.access_token).sid), []);
    });

    it("an offline login whose refresh tokens live shorter than its access tokens: the session lasts as long as the access token", async () => {
      const short = await createApp(h(), "client_secret_post", {
        accessTokenExpiresIn: 7200,
        refreshTokenExpiresIn: 3600,
      });
      const g = await login(h());
      const app = await h().ctx.repos.applications.findApplicationById(short.appId);
      assert.ok(app);
      const set = await h().ctx.tokens.issueForLogin(
        grantOf({ ...g, app }, { scope: "openid offline_access" }),
      );
      const sid = jwtPayload(set.access_token).sid;
      assert.equal((await sessionRow(h(), sid)).expires_at, clock.now() + 7200 * 1000);
      const [row] = await refreshRows(h(), sid);
      assert.equal(row.expires_at, clock.now() + 3600 * 1000);
    });

    it("a refresh token is stored as HMAC-SHA256 with the server secret of `refresh_token:<token>` (the stored tokens outlive an upgrade)", async () => {
      const g = await login(h());
      const set = await h().ctx.tokens.issueForLogin(grantOf(g, { scope: "openid offline_access" }));
      const [row] = await refreshRows(h(), jwtPayload(set.access_token).sid);
      const expected = createHmac("sha256", h().ctx.keys.secret)
        .update(`refresh_token:${set.refresh_token}`)
        .digest("hex");
      assert.equal(row.token_hash, expected);
    });

    it("the verified-token cache: a token's signature is checked once, until 10,000 others came after it", async () => {
      const ctx = h().ctx;
      const g = await login(h());
      const real = ctx.signingKeys;
      const once = await real.verify(g.t.access_token);
      // The signature check counted. The 10,000 other tokens are stand-ins whose check answers what
      // the real token's did (signing 10,000 tokens would take most of a minute).
      const verifiedTokens: string[] = [];
      const keys: SigningKeys = {
        ...real,
        get version() {
          return real.version;
        },
        async verify(token: string) {
          verifiedTokens.push(token);
          return token.startsWith("stand-in ") ? once : real.verify(token);
        },
      };
      const tokens = ownTokenService(ctx, clock, {
        signingKeys: keys,
      });
      const token = g.t.access_token;
      const checked = async (t: string) => assert.equal((await tokens.checkAccessToken(t)).ok, true, t);
      const signatureChecks = () => verifiedTokens.filter((t) => t === token).length;
      await checked(token);
      await checked(token);
      assert.equal(signatureChecks(), 1, "the second check reuses the first");
      for (let i = 1; i < 10_000; i++) await checked(`stand-in ${i}`);
      await checked(token);
      assert.equal(signatureChecks(), 1, "still remembered among 10,000");
      await checked("stand-in 10000");
      await checked(token);
      assert.equal(signatureChecks(), 2, "the oldest of 10,001 was forgotten");
      await checked("stand-in 10000");
      assert.equal(verifiedTokens.length, 10_002, "the newest ones are still remembered");
    });
  },
  { clock },
);
