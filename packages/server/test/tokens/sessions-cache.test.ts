import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { createSessions, type SessionsOptions } from "../../src/services/tokens/sessions.js";
import { newUserRow } from "../../src/services/users/identifiers.js";
import { Repositories } from "../../src/storage/repos/index.js";
import { describeEachDialect } from "../helpers/harness.js";

/**
 * The per-node session cache (services/tokens/sessions.ts) against a real database: how long a node
 * trusts what it read, what it forgets at once, how many sessions it keeps, and whom it tells.
 * "Another node" is a write straight to the database, which this node's cache cannot see.
 */
const clock = new FakeClock();
const DAY = 86_400_000;

describeEachDialect(
  "sessions: the per-node cache",
  (h) => {
    let userId = "";
    const changed: string[][] = [];
    let reads = 0;
    /** Between a read's query and its answer (see the in-flight read test); resolved by default. */
    let beforeAnswer = async () => {};
    /** The real repositories, counting the hot-path reads. */
    const counted = (): Repositories => {
      const real = h().ctx.repos.sessions;
      const sessions = {
        ...real,
        findSessionState: async (id: string) => {
          reads++;
          const row = await real.findSessionState(id);
          await beforeAnswer();
          return row;
        },
      };
      return new (class extends Repositories {
        override get sessions() {
          return sessions;
        }
      })(h().ctx.db.kysely);
    };
    const service = (options: SessionsOptions = {}) =>
      createSessions({ repos: counted(), clock, onChanged: (ids) => changed.push(ids), ...options });
    const open = async (s = service(), lifeMs = DAY, user = userId) => {
      const row = s.newRow({
        poolId: h().boot.userPoolId,
        userId: user,
        appId: h().boot.appId,
        scope: "openid",
        ip: null,
        userAgent: null,
        expiresAt: clock.now() + lifeMs,
      });
      await h().ctx.repos.sessions.insertSession(row);
      return row.id;
    };
    /** Ends a session the way another node would: in the database, unseen by this node. */
    const endElsewhere = (id: string) => h().ctx.repos.sessions.endSession(id, clock.now(), "elsewhere");
    const active = (s: ReturnType<typeof service>, id: string, user = userId) =>
      s.isActive(id, user).then((r) => r !== undefined);
    const endReason = async (id: string) =>
      (
        await h()
          .ctx.db.kysely.selectFrom("sessions")
          .select(["end_reason", "ended_at"])
          .where("id", "=", id)
          .executeTakeFirstOrThrow()
      ).end_reason;

    it("setup: a user", async () => {
      const row = newUserRow(h().boot.userPoolId, clock.now(), {});
      await h().ctx.repos.users.insertUser(row);
      userId = row.id;
    });

    it("a node trusts what it read for 900 ms by default, and reads again from the 900th on", async () => {
      const s = service();
      const id = await open(s);
      assert.deepEqual(await s.isActive(id, userId), { poolId: h().boot.userPoolId });
      await endElsewhere(id);
      clock.advance(899);
      assert.equal(await active(s, id), true, "still the cached state");
      clock.advance(1);
      assert.equal(await active(s, id), false, "read again at 900 ms");
      clock.advance(10_000);
      assert.equal(await active(s, id), false);
    });

    it("the cache lifetime is configurable", async () => {
      const s = service({ cacheTtlMs: 50 });
      const id = await open(s);
      assert.equal(await active(s, id), true);
      await endElsewhere(id);
      clock.advance(49);
      assert.equal(await active(s, id), true);
      clock.advance(1);
      assert.equal(await active(s, id), false);
    });

    it("parallel checks of one session share one read", async () => {
      const s = service();
      const id = await open(s);
      reads = 0;
      const all = await Promise.all([active(s, id), active(s, id), active(s, id)]);
      assert.deepEqual(all, [true, true, true]);
      assert.equal(reads, 1);
      assert.equal(await active(s, id), true);
      assert.equal(reads, 1, "then answered from the cache");
    });

    it("a session belongs to its user, and stops at its expiry to the millisecond", async () => {
      const s = service();
      const id = await open(s, 5_000);
      assert.equal(await active(s, id, "someone-else"), false);
      clock.advance(4_999);
      assert.equal(await active(s, id), true);
      clock.advance(1);
      assert.equal(await active(s, id), false);
      assert.equal(await active(s, "no-such-session"), false);
    });

    it("end: at once on this node, recorded with its reason, told to the others; ending twice says it was not open", async () => {
      const s = service();
      const id = await open(s);
      assert.equal(await active(s, id), true);
      changed.length = 0;
      assert.equal(await s.end(id, "revoked"), true);
      assert.equal(await active(s, id), false);
      assert.equal(await endReason(id), "revoked");
      assert.deepEqual(changed, [[id]]);
      assert.equal(await s.end(id, "again"), false);
      assert.equal(await endReason(id), "revoked");
    });

    it("a read that started before this node ended the session does not put the open state back", async () => {
      const s = service();
      const id = await open(s);
      // Hold the read between its query (the session still open) and its answer, and end the session there.
      let queried!: () => void;
      let answer!: () => void;
      const readDone = new Promise<void>((resolve) => {
        queried = resolve;
      });
      const gate = new Promise<void>((resolve) => {
        answer = resolve;
      });
      beforeAnswer = () => {
        queried();
        return gate;
      };
      try {
        const before = s.isActive(id, userId);
        await readDone;
        await s.end(id, "revoked");
        answer();
        assert.notEqual(await before, undefined, "the read saw the session open");
      } finally {
        beforeAnswer = async () => {};
      }
      assert.equal(await active(s, id), false, "and this node does not cache what it saw");
    });

    it("endUserSessions: all the user's sessions but the one kept, with the reason given or 'ended', told once", async () => {
      const other = newUserRow(h().boot.userPoolId, clock.now(), {});
      await h().ctx.repos.users.insertUser(other);
      const s = service();
      const [a, b, keep] = [
        await open(s, DAY, other.id),
        await open(s, DAY, other.id),
        await open(s, DAY, other.id),
      ];
      for (const id of [a, b, keep]) assert.equal(await active(s, id, other.id), true);
      changed.length = 0;
      await s.endUserSessions(h().boot.userPoolId, other.id, { exceptSessionId: keep });
      assert.equal(await active(s, a, other.id), false, "at once, not after the cache lifetime");
      assert.equal(await active(s, b, other.id), false);
      assert.equal(await active(s, keep, other.id), true);
      assert.equal(await endReason(a), "ended");
      assert.deepEqual(
        changed.map((ids) => [...ids].sort()),
        [[a, b].sort()],
      );
      changed.length = 0;
      await s.endUserSessions(h().boot.userPoolId, other.id, { exceptSessionId: keep });
      assert.deepEqual(changed, [], "nothing ended: nobody told");
      await s.endUserSessions(h().boot.userPoolId, other.id, { reason: "password_changed" });
      assert.equal(await endReason(keep), "password_changed");
      assert.deepEqual(changed, [[keep]]);
    });

    it("endedElsewhere, invalidate and forgetCached drop the cached state at once; only the first two tell the others", async () => {
      const s = service();
      for (const [name, drop, tells] of [
        ["endedElsewhere", (id: string) => s.endedElsewhere([id]), true],
        ["invalidate", (id: string) => s.invalidate(id), true],
        ["forgetCached", (id: string) => s.forgetCached([id]), false],
      ] as const) {
        const id = await open(s);
        assert.equal(await active(s, id), true);
        await endElsewhere(id);
        changed.length = 0;
        drop(id);
        assert.equal(await active(s, id), false, name);
        assert.deepEqual(changed, tells ? [[id]] : [], name);
      }
      changed.length = 0;
      s.endedElsewhere([]);
      assert.deepEqual(changed, [], "an empty list tells nobody");
    });

    it("without anyone to tell (a single node), ending and forgetting work the same", async () => {
      const s = createSessions({ repos: h().ctx.repos, clock });
      const [a, b, c] = [await open(s), await open(s), await open(s)];
      for (const id of [a, b, c]) assert.equal(await active(s, id), true);
      assert.equal(await s.end(a, "revoked"), true);
      await endElsewhere(b);
      s.invalidate(b);
      await endElsewhere(c);
      s.endedElsewhere([c]);
      for (const id of [a, b, c]) assert.equal(await active(s, id), false);
      const d = await open(s);
      await s.endUserSessions(h().boot.userPoolId, userId);
      assert.equal(await active(s, d), false);
    });

    it("it keeps at most maxCachedSessions, dropping the least recently read", async () => {
      const s = service({ maxCachedSessions: 2 });
      const [a, b, c] = [await open(s), await open(s), await open(s)];
      assert.equal(await active(s, a), true);
      clock.advance(500);
      assert.equal(await active(s, b), true);
      await endElsewhere(a);
      await endElsewhere(b);
      assert.equal(await active(s, a), true, "two fit: a is still cached");
      assert.equal(await active(s, b), true);
      clock.advance(400);
      // a's entry is 900 ms old, b's 400: a is read again and becomes the most recent, so c pushes out b.
      assert.equal(await active(s, a), false);
      assert.equal(await active(s, c), true);
      reads = 0;
      assert.equal(await active(s, a), false);
      assert.equal(reads, 0, "a was kept");
      assert.equal(await active(s, b), false);
      assert.equal(reads, 1, "b was dropped (its entry was still fresh)");
    });
  },
  { clock },
);
