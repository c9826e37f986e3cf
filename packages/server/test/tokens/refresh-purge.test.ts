import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { jwtPayload, signedInUser } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { ownTokenService } from "../helpers/token-service.js";

/**
 * The refresh path sweeps expired refresh tokens on the first refresh and every 500th after; until
 * then a rotated token outlives its expiry, so its reuse is still recognised (services/tokens/tokens.ts).
 */
const clock = new FakeClock();
const DAY = 86_400_000;

describeEachDialect(
  "tokens: the sweep of expired refresh tokens",
  (h) => {
    it("a rotated refresh token stays past its expiry (its reuse still ends the session) until refresh 501 sweeps it", async () => {
      const ctx = h().ctx;
      // A token service of its own, so the test counts every refresh it makes.
      const tokens = ownTokenService(ctx, clock);
      const app = await ctx.repos.applications.findApplicationById(h().boot.appId);
      assert.ok(app);
      const x = await signedInUser(h(), "purge-x@example.com", "purge-pw-123", "offline_access");
      const rowsOfX = async () =>
        (
          await ctx.db.kysely
            .selectFrom("refresh_tokens")
            .select("id")
            .where("session_id", "=", jwtPayload(x.access_token).sid)
            .execute()
        ).length;
      clock.advance(DAY);
      await tokens.refresh(app, x.refresh_token, NO_REQUEST); // refresh 1: x's first token is rotated
      clock.advance(29 * DAY); // and now expired; its successor lives a day longer
      // Until swept, the expired rotated token is still recognised: its reuse ends the session.
      await assert.rejects(tokens.refresh(app, x.refresh_token, NO_REQUEST), { error: "invalid_grant" });
      const xSession = await ctx.db.kysely
        .selectFrom("sessions")
        .select("end_reason")
        .where("id", "=", jwtPayload(x.access_token).sid)
        .executeTakeFirstOrThrow();
      assert.equal(xSession.end_reason, "refresh_token_reuse");
      const y = await signedInUser(h(), "purge-y@example.com", "purge-pw-123", "offline_access");
      let rt = y.refresh_token;
      for (let i = 2; i <= 500; i++) rt = (await tokens.refresh(app, rt, NO_REQUEST)).refresh_token!;
      assert.equal(await rowsOfX(), 2, "refreshes 2 to 500 sweep nothing");
      await tokens.refresh(app, rt, NO_REQUEST); // refresh 501
      assert.equal(await rowsOfX(), 1, "refresh 501 sweeps the expired one");
    });
  },
  { clock },
);
