import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { freshPhone, sendSmsCode } from "../helpers/codes.js";
import { createHarness, describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";
import {
  dropRedisPrefix,
  freshRedisPrefix,
  REDIS_TEST_URL,
  redisAvailable,
  redisKeys,
} from "../helpers/redis.js";
import { startTcpProxy, viaProxy } from "../helpers/tcp-proxy.js";

function sendSmsFrom(h: Harness, ip: string, phoneNumber: string, channel = "CHANNEL_LOGIN") {
  return h
    .inject({
      method: "POST",
      url: "/api/v3/send-sms",
      remoteAddress: ip,
      headers: { "x-authing-app-id": h.boot.appId },
      payload: { channel, phoneNumber },
    })
    .then((r) => r.json());
}

async function bucketRowsInDatabase(h: Harness): Promise<number> {
  const rows = await h.ctx.db.kysely.selectFrom("rate_buckets").select("key").execute();
  return rows.length;
}

const clock = new FakeClock();
const redisReachable = await redisAvailable();

describeEachDialect(
  "shared counters in Redis (GATEHOUSE_REDIS_URL)",
  (h) => {
    it("the cooldown lives in Redis: a second code within 60 s answers 429/2080 and the database holds no bucket", async () => {
      const phone = freshPhone();
      await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      clock.advance(59_999);
      const again = await h().api("POST", "/api/v3/send-sms", {
        channel: "CHANNEL_LOGIN",
        phoneNumber: phone,
      });
      assert.equal(again.statusCode, 429);
      assert.equal(again.apiCode, 2080);
      clock.advance(1);
      await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      assert.equal(await bucketRowsInDatabase(h()), 0);
    });

    it("every Redis key carries the configured prefix and a TTL no longer than its window", async () => {
      await sendSmsCode(h(), freshPhone(), "CHANNEL_LOGIN");
      const keys = await redisKeys(h().redisPrefix!);
      assert.ok(keys.size > 0);
      for (const [key, ttl] of keys) {
        assert.match(key, /^bucket:code-(cooldown|target-hour|ip-hour|pool-hour):/);
        assert.ok(ttl > 0 && ttl <= 3_600_000, `${key} has TTL ${ttl}`);
      }
    });

    it("the hourly cap per number holds, then its window resets with the clock", async () => {
      await patchPoolSettings(h(), { codeTargetHourlyLimit: 2 });
      const phone = freshPhone();
      await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
      const capped = await h().api("POST", "/api/v3/send-sms", {
        channel: "CHANNEL_BIND_PHONE",
        phoneNumber: phone,
      });
      assert.equal(capped.statusCode, 429);
      clock.advance(3_600_000);
      await sendSmsCode(h(), phone, "CHANNEL_BIND_PHONE");
      await patchPoolSettings(h(), { codeTargetHourlyLimit: 0 });
    });

    it("a send refused by the IP cap takes nothing from the number's cooldown or count (one Lua script, all or nothing)", async () => {
      await patchPoolSettings(h(), { codeIpHourlyLimit: 1, codeTargetHourlyLimit: 1 });
      assert.equal((await sendSmsFrom(h(), "10.20.0.1", freshPhone())).statusCode, 200);
      const phone = freshPhone();
      assert.equal((await sendSmsFrom(h(), "10.20.0.1", phone)).statusCode, 429);
      assert.equal((await sendSmsFrom(h(), "10.20.0.2", phone)).statusCode, 200);
      await patchPoolSettings(h(), { codeIpHourlyLimit: 0, codeTargetHourlyLimit: 0 });
    });

    it("30 parallel sends to one number and channel deliver exactly one code", async () => {
      const phone = freshPhone();
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone }),
        ),
      );
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
      assert.equal(results.filter((r) => r.apiCode === 2080).length, 29);
      assert.equal(h().ctx.outbox.to(phone).length, 1);
    });
  },
  { clock, redis: true },
);

describe("shared counters in Redis: Redis goes away and comes back", { skip: !redisReachable }, () => {
  const target = new URL(REDIS_TEST_URL);
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let current: Awaited<ReturnType<typeof createHarness>>;
  const prefix = freshRedisPrefix();
  before(async () => {
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    current = await createHarness("sqlite", {
      config: { redisUrl: viaProxy(REDIS_TEST_URL, proxy.port), redisKeyPrefix: prefix },
    });
  });
  after(async () => {
    await current.close();
    await proxy.close();
    await dropRedisPrefix(prefix);
  });

  for (const mode of ["reset", "refuse"] as const) {
    it(`send-sms answers envelope 503 while Redis is unreachable (${mode}) and succeeds once it is back`, async () => {
      const h = current.harness;
      await sendSmsCode(h, freshPhone(), "CHANNEL_LOGIN");
      await proxy.cut(mode);
      for (let i = 0; i < 5; i++) {
        const res = await h.inject({
          method: "POST",
          url: "/api/v3/send-sms",
          headers: { "x-authing-app-id": h.boot.appId },
          payload: { channel: "CHANNEL_LOGIN", phoneNumber: freshPhone() },
        });
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().statusCode, 503, res.body);
      }
      await proxy.restore();
      let last: any;
      for (let i = 0; i < 100; i++) {
        last = await h.api("POST", "/api/v3/send-sms", {
          channel: "CHANNEL_LOGIN",
          phoneNumber: freshPhone(),
        });
        if (last.statusCode === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(last.statusCode, 200, JSON.stringify(last));
      assert.ok(h.logs.length > 0, "the log was captured");
      assert.ok(!h.logs.some((l) => l.includes('"level":60')), "no fatal log line");
      assert.ok(fs.existsSync(h.ctx.config.dataDir));
    });
  }
});
