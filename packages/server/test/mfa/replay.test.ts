import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import pino from "pino";
import { type Context, createContext } from "../../src/context.js";
import { FakeClock } from "../../src/lib/clock.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { describeEachDialect } from "../helpers/harness.js";
import { enableFactors, enrolOtp, totpAt } from "../helpers/mfa.js";
import { register } from "../helpers/profile.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));

/**
 * A TOTP code is accepted once even when two nodes check it at the same moment: the time step
 * is claimed with `UPDATE … WHERE last_step < step` (docs/mfa.md §TOTP).
 */
describeEachDialect(
  "mfa: one TOTP code checked in parallel (two nodes on PostgreSQL)",
  (h) => {
    // A second node is a second context on the same PostgreSQL database. SQLite's driver is
    // synchronous: a second context in this process would wait for the first one's transaction
    // while blocking the event loop that would finish it, so there the checks share one node.
    let second: Context | undefined;
    before(async () => {
      if (h().dialect !== "postgres") return;
      second = await createContext(h().ctx.config, {
        clock,
        migrate: false,
        logger: pino({ level: "silent" }),
      });
    });
    after(async () => {
      await second?.close();
    });

    // Four checks: a replay counts as a wrong code, and five of those would lock MFA.
    it("of 2 × 2 parallel checks of one code, exactly one is verified", async () => {
      await enableFactors(h(), ["OTP"]);
      const u = await register(h(), { email: true });
      const { uri } = await enrolOtp(h(), u.token);
      const poolId = h().boot.userPoolId;
      const settings = await h().ctx.auth.poolSettings(poolId);
      const subject = {
        poolId,
        userId: u.userId,
        settings,
        meta: { ip: "127.0.0.1", userAgent: null, origin: NO_REQUEST },
      };
      clock.advance(30_000);
      const code = totpAt(uri, clock.now());
      const nodes = [h().ctx, second ?? h().ctx];
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) => nodes[i % 2]?.mfa.totpVerify(subject, code)),
      );
      assert.deepEqual(results.map((r) => r?.verified).sort(), [false, false, false, true]);
    });
  },
  { clock },
);
