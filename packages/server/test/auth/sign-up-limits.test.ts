import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { freshEmail } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";
import { redisAvailable, redisKeys } from "../helpers/redis.js";

await redisAvailable();

/** A PASSWORD sign-up with a fresh email, as `appId` (the default application unless given), from `ip`. */
async function signUpFrom(h: Harness, ip: string, appId = h.boot.appId) {
  const res = await h.inject({
    method: "POST",
    url: "/api/v3/signup",
    remoteAddress: ip,
    headers: { "x-authing-app-id": appId },
    payload: {
      connection: "PASSWORD",
      passwordPayload: { email: freshEmail("signup"), password: "pw-sign-up-1" },
    },
  });
  return res.json();
}

function assertEnvelope(res: any, statusCode: number, apiCode?: number) {
  assert.equal(res.statusCode, statusCode, JSON.stringify(res));
  assert.equal(res.apiCode, apiCode, JSON.stringify(res));
}

const clock = new FakeClock();

const limitsSuite = (h: () => Harness) => {
  it("the 11th sign-up from one IP in an hour is refused (429/1002); another IP is accepted", async () => {
    const before = await h().ctx.repos.users.countUsers(h().boot.userPoolId);
    for (let i = 0; i < 10; i++) assertEnvelope(await signUpFrom(h(), "198.51.100.77"), 200);
    const refused = await signUpFrom(h(), "198.51.100.77");
    assertEnvelope(refused, 429, 1002);
    assert.equal(await h().ctx.repos.users.countUsers(h().boot.userPoolId), before + 10);
    assertEnvelope(await signUpFrom(h(), "198.51.100.78"), 200);
    clock.advance(3_600_000);
    assertEnvelope(await signUpFrom(h(), "198.51.100.77"), 200);
  });

  it("addresses of one IPv6 /64 share the per-IP sign-up cap", async () => {
    for (let i = 1; i <= 10; i++) assertEnvelope(await signUpFrom(h(), `2001:db8:5:6::${i}`), 200);
    assertEnvelope(await signUpFrom(h(), "2001:db8:5:6::abcd"), 429, 1002);
  });

  it("the pool-wide sign-up cap refuses sign-ups from every IP; other pools unaffected", async () => {
    clock.advance(3_600_000);
    await patchPoolSettings(h(), { registerPoolHourlyLimit: 3 });
    const other = await h().ctx.admin.pools.create("other pool");
    for (let i = 0; i < 3; i++) assertEnvelope(await signUpFrom(h(), `192.0.2.${100 + i}`), 200);
    assertEnvelope(await signUpFrom(h(), "192.0.2.110"), 429, 1002);
    assertEnvelope(await signUpFrom(h(), "192.0.2.110", other.app.id), 200);
    await patchPoolSettings(h(), { registerPoolHourlyLimit: 0 });
  });

  it("sign-in's autoRegister creates accounts under the same caps", async () => {
    clock.advance(3_600_000);
    await patchPoolSettings(h(), { registerIpHourlyLimit: 1 });
    const autoRegister = async () =>
      (
        await h().inject({
          method: "POST",
          url: "/api/v3/signin",
          remoteAddress: "192.0.2.200",
          headers: { "x-authing-app-id": h().boot.appId },
          payload: {
            connection: "PASSWORD",
            passwordPayload: { email: freshEmail("auto"), password: "pw-auto-12" },
            options: { autoRegister: true },
            client_id: h().boot.appId,
            client_secret: h().boot.appSecret,
          },
        })
      ).json();
    assertEnvelope(await autoRegister(), 200);
    assertEnvelope(await autoRegister(), 429, 1002);
    await patchPoolSettings(h(), { registerIpHourlyLimit: 0 });
  });
};

describeEachDialect("sign-up rate limits", limitsSuite, {
  clock,
  config: { signUpIpHourlyLimit: 10, signUpPoolHourlyLimit: 1000 },
});

describeEachDialect(
  "sign-up rate limits",
  (h) => {
    limitsSuite(h);
    it("the sign-up counters live in Redis, where every node sees them", async () => {
      const keys = [...(await redisKeys(h().redisPrefix!)).keys()];
      assert.ok(
        keys.some((k) => k.startsWith(`bucket:signup-pool-hour:${h().boot.userPoolId}`)),
        keys.join(", "),
      );
    });
  },
  { clock, redis: true, config: { signUpIpHourlyLimit: 10, signUpPoolHourlyLimit: 1000 } },
);
