import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { buildApp } from "../../src/app.js";
import { createContext } from "../../src/context.js";
import { FakeClock } from "../../src/lib/clock.js";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import { createHarness, describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt, signedRequest } from "../helpers/management.js";
import { REDIS_TEST_URL, redisAvailable } from "../helpers/redis.js";

const redisReachable = await redisAvailable();

async function send(h: Harness, req: ReturnType<typeof signedRequest>) {
  const res = await h.inject({
    method: req.method,
    url: req.url,
    headers: req.headers,
    payload: req.payload,
  });
  assert.equal(res.statusCode, 200, "the management API always answers HTTP 200");
  return res.json();
}

const MIN = 60_000;

describeEachDialect(
  "management signature",
  (h) => {
    it("a request signed like ManagementClient with the pool's id and secret is accepted", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-security-settings");
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.verifyCodeLength, 6);
    });

    it("GET values are verified decoded: spaces, &, +, = and unicode were signed un-encoded", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/list-applications", {
        params: { page: 1, limit: 10, keywords: "a b&c+d=e 中文", isIntegrateApp: false },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.totalCount, 0);
    });

    it("GET arrays sent as userIds[]=… are verified as the JSON array the SDK signed", async () => {
      const created = await mgmt(h(), "POST", "/api/v3/create-user", { body: { username: "arr-1" } });
      const r = await mgmt(h(), "GET", "/api/v3/get-user-batch", {
        params: { userIds: [created.data.userId, "missing"], userIdType: "user_id", withCustomData: false },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.deepEqual(
        r.data.map((u: any) => u.username),
        ["arr-1"],
      );
    });

    it("GET an empty array, signed as k=[] and left out of the URL by axios: verified (then refused by validation, not by the signature)", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-user-batch", { params: { userIds: [] } });
      assert.deepEqual([r.statusCode, r.apiCode], [400, undefined], JSON.stringify(r));
      assert.match(r.message, /userIds/);
    });

    it("GET: only the route's array parameters may have been empty arrays (a string one signed as k=[] is refused with 1300)", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-user-batch", {
        params: { userIds: ["someone"], userIdType: [] },
      });
      assert.deepEqual([r.statusCode, r.apiCode], [401, 1300], JSON.stringify(r));
    });

    it("GET with every parameter undefined is verified against `path?`", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/list-applications", { params: { keywords: undefined } });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
    });

    it("POST bodies are verified field by field, nested objects and null values included", async () => {
      const r = await mgmt(h(), "POST", "/api/v3/update-security-settings", {
        body: {
          changePhoneStrategy: { verifyOldPhone: false },
          loginAnomalyDetection: {
            loginFailStrategy: "captcha",
            accountLockLoginPasswordFailCheck: { limit: 7 },
          },
          cookieSettings: null,
          allowedOrigins: ["https://a.example", "https://b.example"],
        },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.changePhoneStrategy.verifyOldPhone, false);
      assert.equal(r.data.loginAnomalyDetection.accountLockLoginPasswordFailCheck.limit, 7);
      assert.deepEqual(r.data.allowedOrigins, ["https://a.example", "https://b.example"]);
    });

    it("a body-less POST is verified against the bare path (then refused by validation, not by the signature)", async () => {
      const r = await mgmt(h(), "POST", "/api/v3/update-global-mfa-settings");
      assert.equal(r.statusCode, 400, JSON.stringify(r));
      assert.equal(r.apiCode, undefined);
    });

    it("a signed body with a prototype-pollution key is refused before anything else (400)", async () => {
      const r = await mgmt(h(), "POST", "/api/v3/update-security-settings", {
        body: { verifyCodeLength: 4 },
        wireBody: '{"__proto__":{"verifyCodeLength":4}}',
      });
      assert.equal(r.statusCode, 400);
      assert.match(r.message, /不允许的键（__proto__ 或 constructor.prototype）/);
    });

    it("the management routes are in the OpenAPI document", async () => {
      const res = await h().inject({ method: "GET", url: "/openapi.json" });
      const paths = Object.keys(res.json().paths);
      for (const p of [
        "/api/v3/create-user",
        "/api/v3/list-users",
        "/api/v3/get-management-token",
        "/api/v3/kick-users",
      ]) {
        assert.ok(paths.includes(p), p);
      }
    });

    it("forged: a signature made with another secret is refused with 1300", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
        key: { id: h().boot.userPoolId, secret: "not-the-secret" },
      });
      assert.equal(r.statusCode, 401);
      assert.equal(r.apiCode, 1300);
    });

    it("forged: a body changed after signing is refused with 1300 and nothing is created", async () => {
      const r = await mgmt(h(), "POST", "/api/v3/create-user", {
        body: { email: "honest@example.com" },
        wireBody: JSON.stringify({ email: "forged@example.com" }),
      });
      assert.equal(r.apiCode, 1300);
      assert.equal(
        await findUserByEmail(h().ctx.repos, h().boot.userPoolId, "forged@example.com"),
        undefined,
      );
      assert.equal(
        await findUserByEmail(h().ctx.repos, h().boot.userPoolId, "honest@example.com"),
        undefined,
      );
    });

    it("forged: a query changed after signing is refused with 1300", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-user", {
        params: { userId: "a" },
        wireUrl: "/api/v3/get-user?userId=b",
      });
      assert.equal(r.apiCode, 1300);
    });

    it("forged: a different path with the same parameters is refused with 1300", async () => {
      const req = signedRequest(h(), "GET", "/api/v3/get-security-settings");
      const r = await send(h(), { ...req, url: "/api/v3/get-global-mfa-settings" });
      assert.equal(r.apiCode, 1300);
    });

    it("an unknown access key is refused with 1300", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
        key: { id: "nobody", secret: "x" },
      });
      assert.equal(r.apiCode, 1300);
    });

    it("a request without any credentials is refused with 401/1300", async () => {
      const res = await h().inject({ method: "GET", url: "/api/v3/get-security-settings" });
      assert.equal(res.json().statusCode, 401);
      assert.equal(res.json().apiCode, 1300);
    });

    it("a signing method other than HMAC-SHA1 is refused with 1301", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
        headers: { "x-authing-signature-method": "HMAC-SHA256" },
      });
      assert.equal(r.apiCode, 1301);
    });

    it("a signature version other than 1.0 is refused with 1302", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
        headers: { "x-authing-signature-version": "2.0" },
      });
      assert.equal(r.apiCode, 1302);
    });

    it("a malformed date is refused with 1303", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
        headers: { date: "yesterday-ish" },
      });
      assert.equal(r.apiCode, 1303);
    });

    it("a missing date header is refused with 1304", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
        tamperHeaders: { date: undefined },
      });
      assert.equal(r.apiCode, 1304);
    });

    it("a date more than 15 minutes off either way is refused with 1305; 14 minutes off is accepted", async () => {
      const now = h().ctx.clock.now();
      for (const at of [now - 16 * MIN, now + 16 * MIN]) {
        const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", { at });
        assert.equal(r.apiCode, 1305);
      }
      for (const at of [now - 14 * MIN, now + 14 * MIN]) {
        const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", { at });
        assert.equal(r.statusCode, 200);
      }
    });

    it("a replayed request is refused with 1306 and its effect happens once", async () => {
      const req = signedRequest(h(), "POST", "/api/v3/create-user", { body: { username: "replayed" } });
      assert.equal((await send(h(), req)).statusCode, 200);
      const again = await send(h(), req);
      assert.equal(again.statusCode, 401);
      assert.equal(again.apiCode, 1306);
      const list = await mgmt(h(), "POST", "/api/v3/list-users", { body: { keywords: "replayed" } });
      assert.equal(list.data.totalCount, 1);
    });

    it("a replay late in the date window (14 min 30 s later) is still refused as a replay (1306)", async () => {
      // The nonce must be remembered for as long as the date check lets the same request in.
      const req = signedRequest(h(), "GET", "/api/v3/get-security-settings");
      assert.equal((await send(h(), req)).statusCode, 200);
      (h().ctx.clock as FakeClock).advance(14.5 * MIN);
      const again = await send(h(), req);
      assert.deepEqual([again.statusCode, again.apiCode], [401, 1306]);
    });

    it("a replay after the window closed is refused as skewed (1305)", async () => {
      const req = signedRequest(h(), "GET", "/api/v3/get-security-settings");
      assert.equal((await send(h(), req)).statusCode, 200);
      (h().ctx.clock as FakeClock).advance(16 * MIN);
      assert.equal((await send(h(), req)).apiCode, 1305);
    });

    it("nonces are per access key: another key may use the same nonce", async () => {
      const created = await mgmt(h(), "POST", "/api/v3/create-access-key", { body: { type: "userpool" } });
      const key = { id: created.data[0].accessKeyId, secret: created.data[0].accessKeySecret };
      const nonce = "0123456789abcdef0123456789abcdef";
      assert.equal((await mgmt(h(), "GET", "/api/v3/get-security-settings", { nonce })).statusCode, 200);
      assert.equal((await mgmt(h(), "GET", "/api/v3/get-security-settings", { nonce, key })).statusCode, 200);
      assert.equal((await mgmt(h(), "GET", "/api/v3/get-security-settings", { nonce, key })).apiCode, 1306);
    });

    it("the nonce cache is shared by every node: a replay sent to a second node is refused", async () => {
      const ctx2 = await createContext(h().ctx.config, { logger: h().ctx.logger, clock: h().ctx.clock });
      const node2 = await buildApp(ctx2);
      try {
        const req = signedRequest(h(), "GET", "/api/v3/get-security-settings");
        assert.equal((await send(h(), req)).statusCode, 200);
        const res = await node2.inject({ method: "GET", url: req.url, headers: req.headers });
        assert.equal(res.json().apiCode, 1306);
      } finally {
        await node2.close();
        await ctx2.close();
      }
    });
  },
  { clock: new FakeClock(Date.UTC(2026, 5, 1)) },
);

describe("management signature [sqlite + redis nonce store]", {
  skip: !redisReachable && "Redis unreachable",
}, () => {
  let current: Awaited<ReturnType<typeof createHarness>> | undefined;
  const h = () => {
    if (!current) throw new Error("harness not ready");
    return current.harness;
  };
  before(async () => {
    current = await createHarness("sqlite", { redis: true, clock: new FakeClock(Date.UTC(2026, 5, 1)) });
  });
  after(async () => {
    await current?.close();
  });

  it("a replay late in the date window is refused (1306), and Redis keeps the nonce for the whole window", async () => {
    const nonce = "fedcba9876543210fedcba9876543210";
    const req = signedRequest(h(), "GET", "/api/v3/get-security-settings", { nonce });
    assert.equal((await send(h(), req)).statusCode, 200);
    // Redis forgets by its own clock, which the fake clock cannot move: read the key's lifetime.
    const redis = new Redis(REDIS_TEST_URL);
    try {
      const ttl = await redis.pttl(`${h().redisPrefix}nonce:${h().boot.userPoolId}:${nonce}`);
      assert.ok(ttl > 14.5 * MIN && ttl <= 15 * MIN, `nonce TTL ${ttl} ms`);
    } finally {
      redis.disconnect();
    }
    (h().ctx.clock as FakeClock).advance(14.5 * MIN);
    const again = await send(h(), req);
    assert.deepEqual([again.statusCode, again.apiCode], [401, 1306]);
  });
});
