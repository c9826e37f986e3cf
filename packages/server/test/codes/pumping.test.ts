import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { freshEmail, freshPhone } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";
import { redisAvailable, redisKeys } from "../helpers/redis.js";

await redisAvailable();

/** POST as `appId` (the default application unless given) from a given client IP. */
async function postFrom(
  h: Harness,
  ip: string,
  url: string,
  payload: Record<string, string>,
  appId = h.boot.appId,
) {
  const res = await h.inject({
    method: "POST",
    url,
    remoteAddress: ip,
    headers: { "x-authing-app-id": appId },
    payload,
  });
  return res.json();
}

const sendSmsFrom = (h: Harness, ip: string, phoneNumber: string, extra: Record<string, string> = {}) =>
  postFrom(h, ip, "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber, ...extra });

function assertEnvelope(res: any, statusCode: number, apiCode?: number) {
  assert.equal(res.statusCode, statusCode, JSON.stringify(res));
  assert.equal(res.apiCode, apiCode, JSON.stringify(res));
}

const clock = new FakeClock();

describeEachDialect(
  "SMS pumping: client IPs counted by network",
  (h) => {
    it("many addresses of one IPv6 /64 share one IP cap", async () => {
      await patchPoolSettings(h(), { codeIpHourlyLimit: 3 });
      for (const ip of ["2001:db8:aa:1::1", "2001:db8:aa:1::2", "2001:db8:aa:1:dead:beef:0:1"]) {
        assertEnvelope(await sendSmsFrom(h(), ip, freshPhone()), 200);
      }
      const capped = await sendSmsFrom(h(), "2001:db8:aa:1:ffff:ffff:ffff:fffe", freshPhone());
      assertEnvelope(capped, 429);
      // The next /64 is another network.
      assertEnvelope(await sendSmsFrom(h(), "2001:db8:aa:2::1", freshPhone()), 200);
      await patchPoolSettings(h(), { codeIpHourlyLimit: 0 });
    });

    it("an IPv4-mapped IPv6 address counts with its IPv4 address", async () => {
      await patchPoolSettings(h(), { codeIpHourlyLimit: 2 });
      assertEnvelope(await sendSmsFrom(h(), "198.51.100.9", freshPhone()), 200);
      assertEnvelope(await sendSmsFrom(h(), "::ffff:198.51.100.9", freshPhone()), 200);
      assertEnvelope(await sendSmsFrom(h(), "198.51.100.9", freshPhone()), 429);
      await patchPoolSettings(h(), { codeIpHourlyLimit: 0 });
    });

    it("failed sign-ins from many addresses of one /64 block that network", async () => {
      await patchPoolSettings(h(), {
        loginAnomalyDetection: { loginFailCheck: { enabled: true, limit: 3, timeInterval: 300 } },
      });
      const signIn = (ip: string) =>
        postFrom(h(), ip, "/api/v3/signin", {
          connection: "PASSWORD",
          passwordPayload: { username: `nobody-${ip}`, password: "wrong-pw-1" },
          client_id: h().boot.appId,
          client_secret: h().boot.appSecret,
        } as any);
      for (const host of ["1", "2", "3"]) assertEnvelope(await signIn(`2001:db8:bb:1::${host}`), 403, 2333);
      assertEnvelope(await signIn("2001:db8:bb:1::4"), 403, 2057);
      await patchPoolSettings(h(), {
        loginAnomalyDetection: { loginFailCheck: { enabled: true, limit: 50, timeInterval: 300 } },
      });
    });
  },
  { clock },
);

describeEachDialect("SMS pumping: only mobile numbers receive SMS codes", (h) => {
  const refused = [
    ["+44 90 premium rate", "+449098765432"],
    ["+1 900 premium rate", "+19005550123"],
    ["+1 800 toll free", "+18005550123"],
    ["+34 901 shared cost", "+34901123456"],
    ["+44 56 VoIP", "+445612345678"],
    ["+44 30 UAN", "+443001234567"],
    ["+44 20 fixed line", "+442079460123"],
    ["+44 70 personal number", "+447012345678"],
    ["+86 10 fixed line", "+861062345678"],
  ] as const;
  for (const [what, number] of refused) {
    it(`a ${what} number is refused with 400 (invalid phone), nothing sent or counted`, async () => {
      const before = h().ctx.outbox.messages.length;
      const res = await sendSmsFrom(h(), "192.0.2.50", number);
      assertEnvelope(res, 400);
      assert.match(res.message, /mobile/i);
      assert.equal(h().ctx.outbox.messages.length, before);
    });
  }

  it("mobile numbers, and numbers that may be mobile (+1), are accepted", async () => {
    for (const number of ["+447911123456", "+12125550123", `+86${freshPhone()}`]) {
      assertEnvelope(await sendSmsFrom(h(), "192.0.2.51", number), 200);
    }
  });

  it("a premium-rate number given as national number and country code is refused too", async () => {
    assertEnvelope(await sendSmsFrom(h(), "192.0.2.52", "9098765432", { phoneCountryCode: "+44" }), 400);
  });
});

const poolCapSuite = (h: () => Harness) => {
  it("the pool's hourly SMS cap refuses further sends (429), email and other pools unaffected", async () => {
    await patchPoolSettings(h(), { smsPoolHourlyLimit: 3 });
    const other = await h().ctx.admin.pools.create("other pool");
    await h().ctx.admin.poolSettings.update(other.pool.id, { smsPoolHourlyLimit: 3 }, NO_REQUEST);
    for (let i = 0; i < 3; i++)
      assertEnvelope(await sendSmsFrom(h(), `203.0.113.${i + 1}`, freshPhone()), 200);
    const capped = await sendSmsFrom(h(), "203.0.113.9", freshPhone());
    assertEnvelope(capped, 429);
    assert.match(capped.message, /SMS/);
    // Email has a cap of its own; another pool has its own count.
    const email = await postFrom(h(), "203.0.113.9", "/api/v3/send-email", {
      channel: "CHANNEL_LOGIN",
      email: freshEmail(),
    });
    assertEnvelope(email, 200);
    const elsewhere = await postFrom(
      h(),
      "203.0.113.9",
      "/api/v3/send-sms",
      { channel: "CHANNEL_LOGIN", phoneNumber: freshPhone() },
      other.app.id,
    );
    assertEnvelope(elsewhere, 200);
    clock.advance(3_600_000);
    assertEnvelope(await sendSmsFrom(h(), "203.0.113.9", freshPhone()), 200);
    await patchPoolSettings(h(), { smsPoolHourlyLimit: 0 });
  });

  it("the pool's hourly email cap is separate from SMS", async () => {
    await patchPoolSettings(h(), { emailPoolHourlyLimit: 2 });
    const sendEmail = () =>
      postFrom(h(), "203.0.113.20", "/api/v3/send-email", { channel: "CHANNEL_LOGIN", email: freshEmail() });
    assertEnvelope(await sendEmail(), 200);
    assertEnvelope(await sendEmail(), 200);
    const capped = await sendEmail();
    assertEnvelope(capped, 429);
    assert.match(capped.message, /email/i);
    assertEnvelope(await sendSmsFrom(h(), "203.0.113.20", freshPhone()), 200);
    await patchPoolSettings(h(), { emailPoolHourlyLimit: 0 });
  });
};

describeEachDialect("SMS pumping: pool-wide hourly message caps", poolCapSuite, { clock });

describeEachDialect(
  "SMS pumping: pool-wide hourly message caps",
  (h) => {
    poolCapSuite(h);
    it("the pool's message count lives in Redis, where every node sees it", async () => {
      const keys = await redisKeys(h().redisPrefix!);
      assert.ok(
        [...keys.keys()].some((k) => k === `bucket:code-pool-hour:${h().boot.userPoolId}:sms`),
        [...keys.keys()].join(", "),
      );
    });
  },
  { clock, redis: true },
);

describeEachDialect(
  "SMS pumping: server-wide pool caps (GATEHOUSE_SMS_POOL_HOURLY_LIMIT)",
  (h) => {
    it("GATEHOUSE_SMS_POOL_HOURLY_LIMIT applies when the pool sets none", async () => {
      assertEnvelope(await sendSmsFrom(h(), "198.51.100.30", freshPhone()), 200);
      assertEnvelope(await sendSmsFrom(h(), "198.51.100.31", freshPhone()), 200);
      assertEnvelope(await sendSmsFrom(h(), "198.51.100.32", freshPhone()), 429);
    });
  },
  { config: { smsPoolHourlyLimit: 2 } },
);
