import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { newId, newSecret } from "../../src/lib/ids.js";
import { atHash, signHs256Jwt, signJwt, verifyHs256Jwt, verifyJwt } from "../../src/services/tokens/jwt.js";
import { createApp, form, jwtHeader, jwtPayload, type SignedInUser, signedInUser } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { ownTokenService } from "../helpers/token-service.js";

/**
 * The token service's second half (services/tokens/tokens.ts): what introspection answers for
 * each kind of token, what revocation ends, which ID token hints name a session, the ID token's
 * claims one by one (`auth_time`, `nonce`, `at_hash`, `c_hash`, `amr`/`acr`, `roles`, the
 * pool's default `picture`, HS256 or RS256) and a refresh's scope narrowing. The injected clock
 * starts on a whole second.
 */
const clock = new FakeClock();
const ISSUER = "http://localhost:3000/oidc";
const sec = (ms: number) => Math.floor(ms / 1000);

const creds = (h: Harness) => ({ client_id: h.boot.appId, client_secret: h.boot.appSecret });
const introspect = (h: Harness, token: string, client = creds(h)) =>
  form(h, "/oidc/token/introspection", { token, ...client });
const revoke = (h: Harness, token: string, client = creds(h)) =>
  form(h, "/oidc/token/revocation", { token, ...client });
const refresh = (h: Harness, token: string, scope?: string) =>
  form(h, "/oidc/token", {
    grant_type: "refresh_token",
    refresh_token: token,
    ...creds(h),
    ...(scope === undefined ? {} : { scope }),
  });
const profile = (h: Harness, token: string) =>
  h.api("GET", "/api/v3/get-my-logged-in-apps", undefined, { authorization: token });
const sessionRow = (h: Harness, sid: string) =>
  h.ctx.db.kysely.selectFrom("sessions").selectAll().where("id", "=", sid).executeTakeFirst();

let users = 0;
const user = (h: Harness, scope = "openid offline_access"): Promise<SignedInUser> =>
  signedInUser(h, `intro-${++users}@example.com`, "intro-pw-1234", scope);

/** The application and user rows a grant names, for calling the token service directly. */
async function rows(h: Harness, userId: string, appId = h.boot.appId) {
  const app = await h.ctx.repos.applications.findApplicationById(appId);
  const row = await h.ctx.repos.users.findUserById(h.boot.userPoolId, userId);
  if (!app || !row) throw new Error("setup: no such application or user");
  return { app, user: row };
}

describeEachDialect(
  "tokens: introspection, revocation, ID tokens",
  (h) => {
    it("introspection: an access token is inactive for another client, once expired, once its session ended, or forged", async () => {
      const t = await user(h());
      assert.equal((await introspect(h(), t.access_token)).body.active, true, "its own client");
      const other = await createApp(h(), "client_secret_post");
      const foreign = await introspect(h(), t.access_token, {
        client_id: other.appId,
        client_secret: other.appSecret,
      });
      assert.deepEqual([foreign.status, foreign.body], [200, { active: false }], "another client");
      const [head, body, sig] = t.access_token.split(".");
      const forged = `${head}.${body}.${sig.slice(0, -4)}AAAA`;
      assert.deepEqual((await introspect(h(), forged)).body, { active: false }, "a bad signature");
      assert.deepEqual((await introspect(h(), "a.b.c")).body, { active: false }, "not a JWT");
      assert.deepEqual((await introspect(h(), "no-such-token")).body, { active: false }, "no such token");

      await h().ctx.sessions.end(jwtPayload(t.access_token).sid, "test");
      assert.deepEqual((await introspect(h(), t.access_token)).body, { active: false }, "session ended");

      const expiring = await user(h(), "openid");
      clock.advance(7200 * 1000);
      assert.deepEqual((await introspect(h(), expiring.access_token)).body, { active: false }, "expired");
    });

    it("revocation of an access token with a bad signature ends nothing; of a refresh token, its session as revoked", async () => {
      const t = await user(h());
      const sid = jwtPayload(t.access_token).sid;
      const [head, body, sig] = t.access_token.split(".");
      const forged = `${head}.${body}.${sig.slice(0, -4)}AAAA`;
      assert.equal((await revoke(h(), forged)).status, 200);
      assert.equal((await revoke(h(), "no-such-token")).status, 200);
      assert.equal((await sessionRow(h(), sid))?.ended_at, null);
      assert.equal((await profile(h(), t.access_token)).statusCode, 200);

      assert.equal((await revoke(h(), t.refresh_token)).status, 200);
      const ended = await sessionRow(h(), sid);
      assert.deepEqual([ended?.end_reason, ended?.ended_at], ["revoked", clock.now()]);
      assert.equal((await profile(h(), t.access_token)).apiCode, 2207);
      assert.deepEqual((await introspect(h(), t.refresh_token)).body, { active: false }, "its session ended");
      assert.deepEqual((await refresh(h(), t.refresh_token)).body.error, "invalid_grant");
    });

    it("an RS256 ID token: typ JWT, signed with the current key, every claim to the second", async () => {
      const t = await user(h(), "openid");
      const { app, user: row } = await rows(h(), t.userId);
      const authTime = clock.now() - 90_500;
      const set = await h().ctx.tokens.issueForLogin({
        app,
        user: row,
        scope: "openid",
        nonce: "n-1",
        authTime,
        code: "the-code",
        amr: ["pwd", "otp", "mfa"],
        ip: null,
        userAgent: null,
      });
      const id = set.id_token ?? "";
      const check = verifyJwt(id, () => h().ctx.signingKeys.current().publicKey);
      assert.equal(check.ok, true);
      assert.deepEqual(jwtHeader(id), { alg: "RS256", typ: "JWT", kid: h().ctx.signingKeys.current().kid });
      const iat = sec(clock.now());
      assert.deepEqual(jwtPayload(id), {
        iss: ISSUER,
        sub: t.userId,
        aud: h().boot.appId,
        iat,
        exp: iat + 7200,
        auth_time: sec(authTime),
        nonce: "n-1",
        at_hash: atHash(set.access_token),
        c_hash: atHash("the-code"),
        sid: jwtPayload(set.access_token).sid,
        amr: ["pwd", "otp", "mfa"],
        acr: "mfa",
      });
    });

    it("an ID token without nonce, sign-in time, code or amr: auth_time is iat and nothing else is added", async () => {
      const t = await user(h(), "openid");
      const { app, user: row } = await rows(h(), t.userId);
      const set = await h().ctx.tokens.issueForLogin({
        app,
        user: row,
        scope: "openid",
        ip: null,
        userAgent: null,
      });
      const iat = sec(clock.now());
      assert.deepEqual(jwtPayload(set.id_token ?? ""), {
        iss: ISSUER,
        sub: t.userId,
        aud: h().boot.appId,
        iat,
        exp: iat + 7200,
        auth_time: iat,
        at_hash: atHash(set.access_token),
        sid: jwtPayload(set.access_token).sid,
      });
      const single = await h().ctx.tokens.issueForLogin({
        app,
        user: row,
        scope: "openid",
        amr: ["pwd"],
        ip: null,
        userAgent: null,
      });
      const p = jwtPayload(single.id_token ?? "");
      assert.deepEqual([p.amr, p.acr, "acr" in p], [["pwd"], undefined, false], "one factor: no acr");
    });

    it("without openid: an access token only, the set has no id_token key at all", async () => {
      const t = await user(h(), "openid");
      const { app, user: row } = await rows(h(), t.userId);
      const set = await h().ctx.tokens.issueForLogin({
        app,
        user: row,
        scope: "profile",
        ip: null,
        userAgent: null,
      });
      assert.deepEqual(Object.keys(set).sort(), ["access_token", "expires_in", "scope", "token_type"]);
      assert.deepEqual([set.token_type, set.expires_in, set.scope], ["Bearer", 7200, "profile"]);
      const p = jwtPayload(set.access_token);
      assert.deepEqual(jwtHeader(set.access_token).typ, "at+jwt");
      assert.deepEqual(
        [p.iss, p.sub, p.aud, p.exp - p.iat, p.scope, p.iat],
        [ISSUER, t.userId, h().boot.appId, 7200, "profile", sec(clock.now())],
      );
    });

    it("an ID token alone (no access token): no at_hash, c_hash of the code beside it", async () => {
      const t = await user(h(), "openid");
      const { app, user: row } = await rows(h(), t.userId);
      const { id_token } = await h().ctx.tokens.issueIdTokenForLogin({
        app,
        user: row,
        scope: "openid",
        code: "code-2",
        ip: null,
        userAgent: null,
      });
      const p = jwtPayload(id_token);
      assert.equal("at_hash" in p, false);
      assert.equal(p.c_hash, atHash("code-2"));
      assert.equal(typeof (await sessionRow(h(), p.sid))?.id, "string", "its session was opened");
    });

    it("an HS256 application: its ID token is keyed with the app secret and lives idTokenExpiresIn; the access token stays RS256", async () => {
      const app = await createApp(h(), "client_secret_post", {
        idTokenSignedResponseAlg: "HS256",
        idTokenExpiresIn: 900,
      });
      const t = await user(h(), "openid");
      const r = await rows(h(), t.userId, app.appId);
      const set = await h().ctx.tokens.issueForLogin({ ...r, scope: "openid", ip: null, userAgent: null });
      const id = set.id_token ?? "";
      assert.deepEqual(jwtHeader(id), { alg: "HS256", typ: "JWT" });
      assert.equal(verifyHs256Jwt(id, app.appSecret).ok, true);
      const p = jwtPayload(id);
      assert.equal(p.exp - p.iat, 900);
      assert.equal(jwtHeader(set.access_token).alg, "RS256");
    });

    it("the profile scope without a photo: picture is the pool's default avatar, as the profile shows it", async () => {
      const t = await user(h(), "openid profile");
      const photo = (
        await h().api("GET", "/api/v3/get-profile", undefined, { authorization: t.access_token })
      ).data.photo;
      assert.equal(typeof photo, "string");
      assert.ok(photo.length > 0);
      assert.equal(jwtPayload(t.id_token).picture, photo);
    });

    it("roles: the role codes in the ID token under the roles scope, kept on refresh; none without it", async () => {
      const t = await user(h(), "openid");
      await mgmt(h(), "POST", "/api/v3/create-role", { body: { code: "intro-admin" } });
      await mgmt(h(), "POST", "/api/v3/assign-role", {
        body: { code: "intro-admin", targets: [{ targetType: "USER", targetIdentifier: t.userId }] },
      });
      const { app, user: row } = await rows(h(), t.userId);
      const set = await h().ctx.tokens.issueForLogin({
        app,
        user: row,
        scope: "openid roles offline_access",
        ip: null,
        userAgent: null,
      });
      assert.deepEqual(jwtPayload(set.id_token ?? "").roles, ["intro-admin"]);
      assert.equal(jwtPayload(set.access_token).roles, undefined);
      const next = await refresh(h(), set.refresh_token ?? "");
      assert.deepEqual(jwtPayload(next.body.id_token).roles, ["intro-admin"]);
      const narrowed = await refresh(h(), next.body.refresh_token, "openid offline_access");
      assert.equal("roles" in jwtPayload(narrowed.body.id_token), false);
      const plain = await h().ctx.tokens.issueForLogin({
        app,
        user: row,
        scope: "openid",
        ip: null,
        userAgent: null,
      });
      assert.equal("roles" in jwtPayload(plain.id_token ?? ""), false);
    });

    it("roles: a token service wired without role codes issues ID tokens under the roles scope, without the claim", async () => {
      const ctx = h().ctx;
      const tokens = ownTokenService(ctx, clock);
      const t = await user(h(), "openid");
      const { app, user: row } = await rows(h(), t.userId);
      const set = await tokens.issueForLogin({
        app,
        user: row,
        scope: "openid roles",
        ip: null,
        userAgent: null,
      });
      assert.equal("roles" in jwtPayload(set.id_token ?? ""), false);
    });

    it("refresh: auth_time and amr stay the sign-in's, iat moves", async () => {
      const t = await user(h(), "openid");
      const { app, user: row } = await rows(h(), t.userId);
      const signedInAt = clock.now();
      const set = await h().ctx.tokens.issueForLogin({
        app,
        user: row,
        scope: "openid offline_access",
        amr: ["pwd"],
        ip: null,
        userAgent: null,
      });
      clock.advance(60_000);
      const r = await refresh(h(), set.refresh_token ?? "");
      const p = jwtPayload(r.body.id_token);
      assert.deepEqual([p.auth_time, p.iat, p.amr], [sec(signedInAt), sec(clock.now()), ["pwd"]]);
    });

    it("refresh: a narrower scope keeps its order and spaces, blank asks for nothing less, one scope too many is refused whole", async () => {
      const t = await user(h(), "openid profile email offline_access");
      const narrow = await refresh(h(), t.refresh_token, "email  openid offline_access");
      assert.equal(narrow.status, 200, JSON.stringify(narrow.body));
      assert.equal(narrow.body.scope, "email openid offline_access");
      assert.equal(jwtPayload(narrow.body.access_token).scope, "email openid offline_access");
      const blank = await refresh(h(), narrow.body.refresh_token, "   ");
      assert.equal(
        blank.body.scope,
        "openid profile email offline_access",
        "the rotation keeps the granted scope",
      );
      const wider = await refresh(h(), blank.body.refresh_token, "openid phone");
      assert.deepEqual(
        [wider.status, wider.body],
        [400, { error: "invalid_scope", error_description: "scope exceeds the granted scope" }],
      );
      const noOpenid = await refresh(h(), blank.body.refresh_token, "offline_access");
      assert.equal(noOpenid.status, 200);
      assert.equal(noOpenid.body.id_token, undefined);
    });

    it("ID token hints: garbage or an unknown HS256 application names nothing", async () => {
      const t = await user(h(), "openid");
      const tokens = h().ctx.tokens;
      assert.equal(await tokens.idTokenSession("garbage"), undefined);
      assert.equal(await tokens.idTokenSession("a.b.c"), undefined);
      const p = jwtPayload(t.id_token);
      const unknown = signHs256Jwt({ ...p, aud: newId() }, newSecret(), "JWT");
      assert.equal(await tokens.idTokenSession(unknown), undefined, "no such application");
      const listed = signHs256Jwt({ ...p, aud: [h().boot.appId] }, h().boot.appSecret, "JWT");
      assert.equal(await tokens.idTokenSession(listed), undefined, "aud a list");
      assert.deepEqual(await tokens.idTokenSession(t.id_token), { sid: p.sid, aud: p.aud, sub: p.sub });
    });

    it("ID token hints, HS256: typ JWT, our issuer, the application's own session; none once that session is gone", async () => {
      const app = await createApp(h(), "client_secret_post", { idTokenSignedResponseAlg: "HS256" });
      const t = await user(h(), "openid");
      const r = await rows(h(), t.userId, app.appId);
      const set = await h().ctx.tokens.issueForLogin({ ...r, scope: "openid", ip: null, userAgent: null });
      const p = jwtPayload(set.id_token ?? "");
      const tokens = h().ctx.tokens;
      assert.deepEqual(await tokens.idTokenSession(set.id_token ?? ""), {
        sid: p.sid,
        aud: app.appId,
        sub: t.userId,
      });
      const sign = (claims: Record<string, unknown>, typ = "JWT") => signHs256Jwt(claims, app.appSecret, typ);
      const defaultSid = jwtPayload(t.id_token).sid;
      const refused: [string, string][] = [
        ["typed as an access token", sign(p, "at+jwt")],
        ["another issuer", sign({ ...p, iss: "https://elsewhere.example/oidc" })],
        ["another application's session of the same user", sign({ ...p, sid: defaultSid })],
        ["no such session", sign({ ...p, sid: newId() })],
        ["sub a number", sign({ ...p, sub: 7 })],
      ];
      for (const [why, hint] of refused) assert.equal(await tokens.idTokenSession(hint), undefined, why);

      await h().ctx.repos.users.deleteUser(h().boot.userPoolId, t.userId);
      assert.equal(await sessionRow(h(), p.sid), undefined, "the session went with its user");
      assert.equal(await tokens.idTokenSession(set.id_token ?? ""), undefined);
    });

    it("ID token hints, RS256: the server's signature is proof enough, even once the session is gone", async () => {
      const t = await user(h(), "openid");
      const p = jwtPayload(t.id_token);
      const key = h().ctx.signingKeys.current();
      const tokens = h().ctx.tokens;
      assert.equal(
        await tokens.idTokenSession(signJwt({ ...p, sid: 5 }, key, "JWT")),
        undefined,
        "sid a number",
      );
      assert.equal(
        await tokens.idTokenSession(signJwt(p, key, "at+jwt")),
        undefined,
        "typed as an access token",
      );
      await h().ctx.repos.users.deleteUser(h().boot.userPoolId, t.userId);
      assert.equal(await sessionRow(h(), p.sid), undefined);
      assert.deepEqual(await tokens.idTokenSession(t.id_token), { sid: p.sid, aud: p.aud, sub: p.sub });
    });
  },
  { clock },
);
