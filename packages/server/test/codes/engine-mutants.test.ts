// The code engine's edges that the behaviour suites (engine, limits, pumping, messaging/routes) left
// unpinned, found by mutation testing (docs/reliability.md §Mutation testing): each test fails on a
// small change to services/codes/{engine,code-secret}.ts that the other suites still passed.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import type { Courier } from "../../src/messaging/courier.js";
import { codeMatches, hashCode } from "../../src/services/codes/code-secret.js";
import type { Bucket, CounterStore } from "../../src/services/codes/counter-store.js";
import { createCodeService, sendBuckets } from "../../src/services/codes/engine.js";
import { freshEmail, freshPhone, sendSmsCode, smsTarget } from "../helpers/codes.js";
import { rejectsWith } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { poolSettings } from "../helpers/pool-settings.js";

const clock = new FakeClock();

const limits = {
  codeTargetHourlyLimit: 10,
  codeIpHourlyLimit: 20,
  smsPoolHourlyLimit: 30,
  emailPoolHourlyLimit: 40,
};

/** An engine of its own over the harness's database, with counters and courier the test controls. */
function ownEngine(h: Harness, opts: { full?: boolean; repos?: Harness["ctx"]["repos"] } = {}) {
  const taken: Bucket[][] = [];
  const purged: number[] = [];
  const counters: CounterStore = {
    take: async (buckets) => {
      taken.push([...buckets]);
      return undefined;
    },
    purge: async (now) => {
      purged.push(now);
    },
  };
  const delivered: unknown[] = [];
  const courier = {
    full: opts.full ?? false,
    deliver: (m: unknown) => delivered.push(m),
  } as unknown as Courier;
  const codes = createCodeService({
    db: h.ctx.db.kysely,
    repos: opts.repos ?? h.ctx.repos,
    counters,
    courier,
    clock,
    secret: h.ctx.keys.secret,
    config: limits,
  });
  return { codes, taken, purged, delivered };
}

describeEachDialect(
  "verification codes: the engine's edges",
  (h) => {
    it("sendBuckets: cooldown, target, IP and pool buckets, narrow to wide, each with its own error", async () => {
      const settings = await poolSettings(h());
      const zero = {
        ...settings,
        codeTargetHourlyLimit: 0,
        codeIpHourlyLimit: 0,
        smsPoolHourlyLimit: 0,
        emailPoolHourlyLimit: 0,
      };
      const sms = sendBuckets(
        {
          poolId: "p1",
          kind: "sms",
          target: "+8613900000000",
          channel: "CHANNEL_LOGIN",
          settings: zero,
          clientIp: "10.0.0.1",
        },
        limits,
      );
      assert.deepEqual(
        sms.buckets.map((b) => [b.key.split(":").slice(0, 2).join(":"), b.limit, b.windowMs]),
        [
          ["code-cooldown:p1", 1, 60_000],
          ["code-target-hour:p1", 10, 3_600_000],
          ["code-ip-hour:p1", 20, 3_600_000],
          ["code-pool-hour:p1", 30, 3_600_000],
        ],
      );
      assert.equal(sms.buckets[0]!.key, "code-cooldown:p1:sms:+8613900000000:CHANNEL_LOGIN");
      assert.equal(sms.buckets[1]!.key, "code-target-hour:p1:sms:+8613900000000");
      assert.equal(sms.buckets[3]!.key, "code-pool-hour:p1:sms");
      assert.deepEqual(sms.errors, [
        "CODE_COOLDOWN",
        "CODE_HOURLY_CAP",
        "CODE_HOURLY_CAP",
        "SMS_POOL_HOURLY_CAP",
      ]);

      // No client IP: no IP bucket; the pool's own limits win over the server's.
      const email = sendBuckets(
        {
          poolId: "p1",
          kind: "email",
          target: "a@example.com",
          channel: "CHANNEL_LOGIN",
          settings: { ...zero, codeTargetHourlyLimit: 3, emailPoolHourlyLimit: 7, smsPoolHourlyLimit: 9 },
        },
        limits,
      );
      assert.deepEqual(
        email.buckets.map((b) => [b.key, b.limit]),
        [
          ["code-cooldown:p1:email:a@example.com:CHANNEL_LOGIN", 1],
          ["code-target-hour:p1:email:a@example.com", 3],
          ["code-pool-hour:p1:email", 7],
        ],
      );
      assert.deepEqual(email.errors, ["CODE_COOLDOWN", "CODE_HOURLY_CAP", "EMAIL_POOL_HOURLY_CAP"]);
    });

    it("a full courier answers 503 MESSAGE_SERVICE_BUSY before any limit is taken or any code stored", async () => {
      const own = ownEngine(h(), { full: true });
      const phone = freshPhone();
      await assert.rejects(
        own.codes.send({
          ...smsTarget(h(), phone),
          channel: "CHANNEL_LOGIN",
          settings: await poolSettings(h()),
        }),
        rejectsWith("MESSAGE_SERVICE_BUSY"),
      );
      assert.equal(own.taken.length, 0);
      assert.equal(own.delivered.length, 0);
      const rows = await h()
        .ctx.db.kysely.selectFrom("verification_codes")
        .select("id")
        .where("target", "=", `+86${phone}`)
        .execute();
      assert.equal(rows.length, 0);
    });

    it("every 500th send purges codes expired over a day ago (and only those) and the counters' old windows", async () => {
      const own = ownEngine(h());
      const settings = await poolSettings(h());
      const now = clock.now();
      const old = { ...smsTarget(h(), freshPhone()), age: 86_400_001 };
      const recent = { ...smsTarget(h(), freshPhone()), age: 86_399_000 };
      for (const row of [old, recent]) {
        await h().ctx.repos.codes.upsertCode({
          id: `purge-${row.target}`,
          pool_id: row.poolId,
          kind: "sms",
          channel: "CHANNEL_LOGIN",
          target: row.target,
          code_hash: "00",
          attempts: 0,
          max_attempts: 5,
          expires_at: now - row.age,
          consumed_at: null,
          created_at: now - row.age - 300_000,
        });
      }
      const present = async (target: string) =>
        (
          await h()
            .ctx.db.kysely.selectFrom("verification_codes")
            .select("id")
            .where("target", "=", target)
            .execute()
        ).length === 1;
      const send = (i: number) =>
        own.codes.send({
          poolId: h().boot.userPoolId,
          kind: "email",
          target: `purge-${i}@example.com`,
          channel: "CHANNEL_LOGIN",
          settings,
          deliver: false,
        });
      for (let i = 1; i < 500; i++) await send(i);
      assert.equal(await present(old.target), true, "purged before the 500th send");
      assert.deepEqual(own.purged, []);
      await send(500);
      assert.equal(await present(old.target), false, "a code expired over a day ago is purged");
      assert.equal(await present(recent.target), true, "a code expired less than a day ago is kept");
      assert.deepEqual(own.purged, [now]);
    });

    it("a code is HMAC-SHA256 over gatehouse-code-v1, pool, kind, channel, target and code, NUL-separated", () => {
      const b = { poolId: "p1", kind: "sms", channel: "CHANNEL_LOGIN", target: "+8613900000000" };
      const expected = createHmac("sha256", "the-secret")
        .update("gatehouse-code-v1\x00p1\x00sms\x00CHANNEL_LOGIN\x00+8613900000000\x00123456")
        .digest("hex");
      assert.equal(hashCode("the-secret", b, "123456"), expected);
      assert.equal(codeMatches("the-secret", b, "123456", expected), true);
      assert.equal(codeMatches("the-secret", b, "123457", expected), false);
    });

    it("a stored hash of another length is no match, not a crash", () => {
      const b = { poolId: "p1", kind: "sms", channel: "CHANNEL_LOGIN", target: "+8613900000000" };
      const full = hashCode("the-secret", b, "123456");
      assert.equal(codeMatches("the-secret", b, "123456", full.slice(0, 32)), false);
      assert.equal(codeMatches("the-secret", b, "123456", ""), false);
    });

    it("the typed code is trimmed, and an email target is trimmed and lower-cased, before they are compared", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      await h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], ` ${code} `, settings);

      const own = ownEngine(h());
      const email = freshEmail();
      await own.codes.send({
        poolId: h().boot.userPoolId,
        kind: "email",
        target: `  ${email.toUpperCase()} `,
        channel: "CHANNEL_BIND_EMAIL",
        settings,
      });
      const sent = own.delivered.at(-1) as { to: string; code: string };
      assert.equal(sent.to, email);
      assert.equal(own.taken.at(-1)![1]!.key, `code-target-hour:${h().boot.userPoolId}:email:${email}`);
      await h().ctx.codes.verifyAndConsume(
        { poolId: h().boot.userPoolId, kind: "email", target: ` ${email.toUpperCase()}  ` },
        ["CHANNEL_BIND_EMAIL"],
        sent.code,
        settings,
      );
    });

    it("spendWith over two channels gives back the attempt reserved on the code that did not match", async () => {
      const phone = freshPhone();
      const login = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      await sendSmsCode(h(), phone, "CHANNEL_BIND_PHONE");
      await h().ctx.codes.spendWith(
        [{ target: smsTarget(h(), phone), channels: ["CHANNEL_LOGIN", "CHANNEL_BIND_PHONE"], code: login }],
        async () => undefined,
      );
      const rows = await h()
        .ctx.db.kysely.selectFrom("verification_codes")
        .select(["channel", "attempts", "consumed_at"])
        .where("target", "=", `+86${phone}`)
        .orderBy("channel")
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.channel, r.attempts, r.consumed_at !== null]),
        [
          ["CHANNEL_BIND_PHONE", 0, false],
          ["CHANNEL_LOGIN", 0, true],
        ],
      );
    });

    it("two codes consumed inside a caller's transaction that rolls back are both left unspent", async () => {
      const settings = await poolSettings(h());
      const a = freshPhone();
      const b = freshPhone();
      const codeA = await sendSmsCode(h(), a, "CHANNEL_LOGIN");
      const codeB = await sendSmsCode(h(), b, "CHANNEL_LOGIN");
      const checked = [
        await h().ctx.codes.check(smsTarget(h(), a), ["CHANNEL_LOGIN"], codeA, settings),
        await h().ctx.codes.check(smsTarget(h(), b), ["CHANNEL_LOGIN"], codeB, settings),
      ];
      await assert.rejects(
        h()
          .ctx.db.kysely.transaction()
          .execute(async (trx) => {
            await h().ctx.codes.consume(checked, trx);
            throw new Error("the write that should have gone with them failed");
          }),
        /the write/,
      );
      await h().ctx.codes.consume(checked);
    });

    it("a guess that finds the code full of parallel guesses' attempts is told it is used up (2300), even when they give theirs back before it looks again", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const t = smsTarget(h(), phone);
      const real = h().ctx.repos.codes;
      // Parallel right guesses hold every attempt of the code…
      const held: string[] = [];
      for (let i = 0; i < settings.verifyCodeMaxAttempts; i++) {
        const rows = await real.reserveCodeAttempts(
          t.poolId,
          t.kind,
          t.target,
          ["CHANNEL_LOGIN"],
          clock.now(),
        );
        assert.equal(rows.length, 1);
        held.push(rows[0]!.id);
      }
      // …and give them back right after this guess has found the code full.
      const codes: typeof real = {
        ...real,
        async reserveCodeAttempts(...args) {
          const rows = await real.reserveCodeAttempts(...args);
          assert.deepEqual(rows, []);
          for (const id of held) await real.releaseCodeAttempts([id]);
          return rows;
        },
      };
      // The harness's repositories (a class: its getters live on the prototype) with this one replaced.
      const repos = Object.create(h().ctx.repos, { codes: { value: codes } }) as Harness["ctx"]["repos"];
      const own = ownEngine(h(), { repos });
      await assert.rejects(
        own.codes.check(t, ["CHANNEL_LOGIN"], code, settings),
        rejectsWith("CODE_EXPIRED"),
      );
      // The code is live again, and one sent on another channel is still "incorrect" here.
      await h().ctx.codes.check(t, ["CHANNEL_LOGIN"], code, settings);
      await assert.rejects(
        h().ctx.codes.check(t, ["CHANNEL_BIND_PHONE"], code, settings),
        rejectsWith("CODE_WRONG"),
      );
    });

    it("consuming no codes is a no-op", async () => {
      await h().ctx.codes.consume([]);
    });
  },
  { clock },
);
