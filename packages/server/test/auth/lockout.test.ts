import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import { insertUserWithPassword, signInByPassword } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

const clock = new FakeClock();
const WINDOW = 60;

describeEachDialect(
  "lockout",
  (h) => {
    it("setup: account limit 3, IP limit 6, window 60 s", async () => {
      await patchPoolSettings(h(), {
        loginAnomalyDetection: {
          accountLockLoginPasswordFailCheck: { enabled: true, limit: 3, timeInterval: WINDOW },
          loginFailCheck: { enabled: true, limit: 6, timeInterval: WINDOW },
        },
      });
      await insertUserWithPassword(h(), { email: "frank@example.com" }, "frank-pw-1");
      await insertUserWithPassword(h(), { email: "grace@example.com" }, "grace-pw-1");
    });

    it("account: remainCount counts down, then 403/2057 even with the right password, until the window passes", async () => {
      const ip = { clientIp: "192.0.2.1" };
      const counts = [];
      for (let i = 0; i < 3; i++) {
        const r = await signInByPassword(h(), { email: "frank@example.com", password: "bad" }, ip);
        assert.equal(r.apiCode, 2333);
        counts.push(r.data.remainCount);
      }
      assert.deepEqual(counts, [2, 1, 0]);
      const locked = await signInByPassword(h(), { email: "frank@example.com", password: "frank-pw-1" }, ip);
      assert.equal(locked.statusCode, 403);
      assert.equal(locked.apiCode, 2057);
      // by another identifier of the same account: still locked
      const viaAccount = await signInByPassword(
        h(),
        { account: "frank@example.com", password: "frank-pw-1" },
        ip,
      );
      assert.equal(viaAccount.apiCode, 2057);
      clock.advance(WINDOW * 1000 - 1000);
      assert.equal(
        (await signInByPassword(h(), { email: "frank@example.com", password: "frank-pw-1" }, ip)).apiCode,
        2057,
        "attempts while locked do not end the lock early",
      );
      clock.advance(1001);
      const after = await signInByPassword(h(), { email: "frank@example.com", password: "frank-pw-1" }, ip);
      assert.equal(after.statusCode, 200);
    });

    it("an unknown account counts down and locks exactly like a real one", async () => {
      const ip = { clientIp: "192.0.2.2" };
      const answers = [];
      for (let i = 0; i < 4; i++) {
        const r = await signInByPassword(h(), { email: "ghost@example.com", password: "bad" }, ip);
        answers.push([r.statusCode, r.apiCode, r.data?.remainCount]);
      }
      assert.deepEqual(answers, [
        [403, 2333, 2],
        [403, 2333, 1],
        [403, 2333, 0],
        [403, 2057, undefined],
      ]);
      clock.advance(WINDOW * 1000 + 1);
    });

    it("a successful sign-in resets the account's count", async () => {
      const ip = { clientIp: "192.0.2.3" };
      await signInByPassword(h(), { email: "grace@example.com", password: "bad" }, ip);
      await signInByPassword(h(), { email: "grace@example.com", password: "bad" }, ip);
      assert.equal(
        (await signInByPassword(h(), { email: "grace@example.com", password: "grace-pw-1" }, ip)).statusCode,
        200,
      );
      const r = await signInByPassword(h(), { email: "grace@example.com", password: "bad" }, ip);
      assert.equal(r.data.remainCount, 2);
      clock.advance(WINDOW * 1000 + 1);
    });

    it("IP: failures across accounts from one IP block that IP only", async () => {
      const ip = { clientIp: "198.51.100.7" };
      for (let i = 0; i < 6; i++) {
        const r = await signInByPassword(h(), { email: `nobody${i}@example.com`, password: "bad" }, ip);
        assert.equal(r.apiCode, 2333);
      }
      const blocked = await signInByPassword(h(), { email: "grace@example.com", password: "grace-pw-1" }, ip);
      assert.equal(blocked.apiCode, 2057);
      const elsewhere = await signInByPassword(
        h(),
        { email: "grace@example.com", password: "grace-pw-1" },
        { clientIp: "198.51.100.8" },
      );
      assert.equal(elsewhere.statusCode, 200);
      clock.advance(WINDOW * 1000 + 1);
      assert.equal(
        (await signInByPassword(h(), { email: "grace@example.com", password: "grace-pw-1" }, ip)).statusCode,
        200,
      );
    });

    it("successful sign-ins do not use up an IP's allowance", async () => {
      const ip = { clientIp: "198.51.100.9" };
      for (let i = 0; i < 8; i++) {
        const r = await signInByPassword(h(), { email: "grace@example.com", password: "grace-pw-1" }, ip);
        assert.equal(r.statusCode, 200);
      }
    });

    it("parallel wrong guesses cannot exceed the account limit", async () => {
      const id = await insertUserWithPassword(h(), { email: "heidi@example.com" }, "heidi-pw-1");
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          signInByPassword(
            h(),
            { email: "heidi@example.com", password: `guess-${i}` },
            { clientIp: `203.0.113.${i}` },
          ),
        ),
      );
      const checked = results.filter((r) => r.apiCode === 2333).length;
      const refused = results.filter((r) => r.apiCode === 2057).length;
      assert.equal(checked, 3, "only `limit` passwords were checked");
      assert.equal(refused, 7);
      const history = await h().ctx.repos.loginHistory.listLoginHistory(
        { poolId: h().boot.userPoolId, userId: id, success: false },
        1,
        50,
      );
      assert.equal(history.totalCount, 10);
      assert.equal(history.rows.filter((r) => r.reason === "wrong_password").length, 3);
    });

    it("an administrator's unlock lets the user in before the window passes", async () => {
      const user = await findUserByEmail(h().ctx.repos, h().boot.userPoolId, "heidi@example.com");
      await h().ctx.loginGuard.unlockUser(h().boot.userPoolId, user?.id ?? "");
      const r = await signInByPassword(
        h(),
        { email: "heidi@example.com", password: "heidi-pw-1" },
        { clientIp: "203.0.113.50" },
      );
      assert.equal(r.statusCode, 200);
    });

    it("with account lockout off there is no remainCount and no lock", async () => {
      await patchPoolSettings(h(), {
        loginAnomalyDetection: {
          accountLockLoginPasswordFailCheck: { enabled: false },
          loginFailCheck: { enabled: false },
        },
      });
      for (let i = 0; i < 5; i++) {
        const r = await signInByPassword(
          h(),
          { email: "frank@example.com", password: "bad" },
          { clientIp: "192.0.2.99" },
        );
        assert.equal(r.apiCode, 2333);
        assert.equal(r.data, undefined);
      }
      assert.equal(
        (await signInByPassword(h(), { email: "frank@example.com", password: "frank-pw-1" })).statusCode,
        200,
      );
    });
  },
  { clock },
);
