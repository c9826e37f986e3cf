import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { updateAppConfig } from "../../src/services/tokens/app-config.js";
import { createApp, jwtPayload, signInByPassword } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";

const clock = new FakeClock();

// The refusals of /oidc/session/end and /oidc/me, each told apart (docs/wire-contract.md §2.5, §2.7).
describeEachDialect(
  "oidc: logout and UserInfo refusals",
  (h) => {
    const email = "oidc-refusals@example.com";
    const password = "oidc-pw-1234";
    const signIn = async () => (await signInByPassword(h(), { email, password })).data;
    const endSession = (query: string) => h().inject({ method: "GET", url: `/oidc/session/end?${query}` });
    const me = (token: string) => h().inject({ method: "GET", url: `/oidc/me?access_token=${token}` });
    const sessionRow = (sid: string) =>
      h().ctx.db.kysely.selectFrom("sessions").selectAll().where("id", "=", sid).executeTakeFirstOrThrow();

    it("setup", async () => {
      const up = await h().api("POST", "/api/v3/signup", {
        connection: "PASSWORD",
        passwordPayload: { email, password },
      });
      assert.equal(up.statusCode, 200, JSON.stringify(up));
    });

    it("session/end: a hint of another client than client_id is refused and ends nothing", async () => {
      const other = await createApp(h(), "client_secret_post");
      const login = await signIn();
      const res = await endSession(`id_token_hint=${login.id_token}&client_id=${other.appId}`);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, "invalid_request");
      assert.equal(res.json().error_description, "id_token_hint was issued to another client");
      assert.equal((await sessionRow(jwtPayload(login.access_token).sid)).ended_at, null);
      const own = await endSession(`id_token_hint=${login.id_token}&client_id=${h().boot.appId}`);
      assert.equal(own.statusCode, 200);
    });

    it("session/end: a hint that is no ID token of ours says so", async () => {
      const res = await endSession("id_token_hint=abc");
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error_description, "id_token_hint is not a valid ID token of this issuer");
    });

    it("session/end: an unregistered post_logout_redirect_uri says so and ends nothing", async () => {
      await updateAppConfig(h().ctx.repos, h().ctx.clock, h().boot.appId, {
        logoutRedirectUris: ["https://app.example.com/bye"],
      });
      const login = await signIn();
      const res = await endSession(
        `id_token_hint=${login.id_token}&post_logout_redirect_uri=${encodeURIComponent("https://app.example.com/other")}`,
      );
      assert.equal(res.statusCode, 400);
      assert.equal(
        res.json().error_description,
        "post_logout_redirect_uri is not registered for this client",
      );
      assert.equal((await sessionRow(jwtPayload(login.access_token).sid)).ended_at, null);
    });

    it("session/end: the session it ends is recorded as ended by logout", async () => {
      const login = await signIn();
      const res = await endSession(`id_token_hint=${login.id_token}`);
      assert.equal(res.statusCode, 200);
      const row = await sessionRow(jwtPayload(login.access_token).sid);
      assert.equal(row.end_reason, "logout");
      assert.notEqual(row.ended_at, null);
    });

    it("me: an invalid token and an expired one are told apart in error_description", async () => {
      const login = await signIn();
      const invalid = await me(`${login.access_token}x`);
      assert.equal(invalid.statusCode, 401);
      assert.equal(invalid.json().error, "invalid_token");
      assert.equal(invalid.json().error_description, "access token invalid");
      clock.advance(400 * 86_400_000);
      const expired = await me(login.access_token);
      assert.equal(expired.statusCode, 401);
      assert.equal(expired.json().error, "invalid_token");
      assert.equal(expired.json().error_description, "access token expired");
    });

    it("me: the token of a deleted user is invalid_token", async () => {
      const login = await signIn();
      await h().ctx.repos.userAdmin.deleteUsers(h().boot.userPoolId, [jwtPayload(login.access_token).sub]);
      const res = await me(login.access_token);
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error, "invalid_token");
      assert.equal(res.json().error_description, "access token invalid");
    });

    it("me: a user deleted (on another node) after the token checked out is invalid_token, not a 500", async () => {
      const up = await h().api("POST", "/api/v3/signup", {
        connection: "PASSWORD",
        passwordPayload: { email: "oidc-gone-late@example.com", password },
      });
      const login = (await signInByPassword(h(), { email: "oidc-gone-late@example.com", password })).data;
      // This node's session cache still answers "open" for a moment: the delete lands after the check.
      const tokens = h().ctx.tokens;
      const check = tokens.checkAccessToken;
      tokens.checkAccessToken = async (...args) => {
        const answer = await check(...args);
        await h().ctx.repos.userAdmin.deleteUsers(h().boot.userPoolId, [up.data.userId]);
        return answer;
      };
      let res: Awaited<ReturnType<typeof me>>;
      try {
        res = await me(login.access_token);
      } finally {
        tokens.checkAccessToken = check;
      }
      assert.equal(res.statusCode, 401);
      assert.deepEqual(
        [res.json().error, res.json().error_description],
        ["invalid_token", "access token invalid"],
      );
    });
  },
  { clock },
);
