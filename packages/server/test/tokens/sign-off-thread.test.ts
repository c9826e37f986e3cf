import assert from "node:assert/strict";
import { it } from "node:test";
import { signedInUser } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { ownTokenService } from "../helpers/token-service.js";

/**
 * Tokens are signed on libuv's thread pool while no password hash holds it, else on the main thread
 * (services/tokens/tokens.ts, `signOffThread`; docs/performance.md): either way the same tokens.
 */
describeEachDialect("tokens: signed on the thread pool or on the main thread", (h) => {
  for (const offThread of [true, false]) {
    it(`a login's tokens signed ${offThread ? "on the thread pool" : "on the main thread"} are accepted everywhere`, async () => {
      const ctx = h().ctx;
      let asked = 0;
      const tokens = ownTokenService(ctx, ctx.clock, {
        signOffThread: () => {
          asked++;
          return offThread;
        },
      });
      const u = await signedInUser(h(), `sign-${offThread}-${Date.now()}@example.com`, "sign-pw-123");
      const app = await ctx.repos.applications.findApplicationById(h().boot.appId);
      const user = await ctx.repos.users.findUserById(h().boot.userPoolId, u.userId);
      assert.ok(app && user);
      const set = await tokens.issueForLogin({
        app,
        user,
        scope: "openid profile",
        ip: null,
        userAgent: null,
      });
      assert.equal(asked, 2, "the access token and the ID token");
      const check = await ctx.tokens.checkAccessToken(set.access_token);
      assert.equal(check.ok, true);
      const profile = await h().api("GET", "/api/v3/get-profile", undefined, {
        authorization: set.access_token,
      });
      assert.equal(profile.statusCode, 200, JSON.stringify(profile));
      assert.ok(set.id_token && (await ctx.tokens.idTokenSession(set.id_token)));
    });
  }
});
