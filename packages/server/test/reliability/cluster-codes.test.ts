import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { clusterForSuite, readBootstrap } from "../helpers/cluster.js";
import { freshPhone, wrongCode } from "../helpers/codes.js";
import { postgresAvailable } from "../helpers/harness.js";
import { redisAvailable } from "../helpers/redis.js";

const pgUp = await postgresAvailable();
const redisReachable = await redisAvailable();

const sms = (phoneNumber: string, channel = "CHANNEL_LOGIN") => ({ channel, phoneNumber });
const preCheck = (phone: string, passCode: string, channel = "CHANNEL_LOGIN") => ({
  codeType: "SMS",
  smsCodePayload: { phone, phoneCountryCode: "+86", passCode, channel },
});

for (const withRedis of [false, true]) {
  describe(`three nodes share verification codes [postgres${withRedis ? " + redis" : ""}]`, {
    skip: !pgUp || (withRedis && !redisReachable),
  }, () => {
    const cluster = clusterForSuite({ redis: withRedis });
    const node = (i: number) => cluster().nodes[i]!;

    it("three nodes started at once on an empty database agree on one pool, one application and one secret", async () => {
      const boots = cluster().nodes.map((n) =>
        fs.readFileSync(path.join(n.dataDir, "bootstrap.json"), "utf8"),
      );
      assert.equal(new Set(boots).size, 1);
      const pools = await cluster().db.kysely.selectFrom("user_pools").select("id").execute();
      assert.deepEqual(
        pools.map((p) => p.id),
        [readBootstrap(node(0).dataDir).userPoolId],
      );
      const secrets = await cluster().db.kysely.selectFrom("gh_meta").selectAll().execute();
      assert.ok(secrets.length > 0);
    });

    it("a code sent through node 1 is accepted on node 2 and on node 3 (the code lives in the shared database)", async () => {
      const phone = freshPhone();
      assert.equal((await node(0).api("POST", "/api/v3/send-sms", sms(phone))).statusCode, 200);
      const code = await cluster().codeFor(`+86${phone}`, "CHANNEL_LOGIN");
      const onTwo = await node(1).api("POST", "/api/v3/pre-check-code", preCheck(phone, code));
      assert.deepEqual(onTwo.data, { isValid: true });
      const onThree = await node(2).api("POST", "/api/v3/pre-check-code", preCheck(phone, code));
      assert.deepEqual(onThree.data, { isValid: true });
    });

    it("the one-minute cooldown holds across nodes: node 2 and node 3 refuse a second code with 429/2080", async () => {
      const phone = freshPhone();
      assert.equal((await node(0).api("POST", "/api/v3/send-sms", sms(phone))).statusCode, 200);
      for (const i of [1, 2]) {
        const again = await node(i).api("POST", "/api/v3/send-sms", sms(phone));
        assert.equal(again.statusCode, 429);
        assert.equal(again.apiCode, 2080);
      }
      assert.equal(cluster().deliveredTo(`+86${phone}`), 1);
    });

    it("30 parallel sends to one number spread over three nodes deliver exactly one code", async () => {
      const phone = freshPhone();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => node(i % 3).api("POST", "/api/v3/send-sms", sms(phone))),
      );
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
      assert.equal(results.filter((r) => r.apiCode === 2080).length, 29);
      await cluster().codeFor(`+86${phone}`, "CHANNEL_LOGIN");
      assert.equal(cluster().deliveredTo(`+86${phone}`), 1);
    });

    it("the hourly cap per number holds across nodes", async () => {
      await cluster().patchPoolSettings({ codeTargetHourlyLimit: 3 });
      try {
        const phone = freshPhone();
        const channels = ["CHANNEL_LOGIN", "CHANNEL_REGISTER", "CHANNEL_BIND_PHONE"];
        for (const [i, channel] of channels.entries()) {
          assert.equal((await node(i).api("POST", "/api/v3/send-sms", sms(phone, channel))).statusCode, 200);
        }
        for (const i of [0, 1, 2]) {
          const capped = await node(i).api("POST", "/api/v3/send-sms", sms(phone, "CHANNEL_UNBIND_PHONE"));
          assert.equal(capped.statusCode, 429);
        }
      } finally {
        await cluster().patchPoolSettings({ codeTargetHourlyLimit: 0 });
      }
    });

    it("the hourly cap per client IP holds across nodes (one IP, many numbers)", async () => {
      await cluster().patchPoolSettings({ codeIpHourlyLimit: 4 });
      try {
        const ip = { "x-forwarded-for": "203.0.113.7" };
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            node(i % 3).api("POST", "/api/v3/send-sms", sms(freshPhone()), ip),
          ),
        );
        assert.equal(results.filter((r) => r.statusCode === 200).length, 4);
        assert.equal(results.filter((r) => r.statusCode === 429).length, 8);
      } finally {
        await cluster().patchPoolSettings({ codeIpHourlyLimit: 0 });
      }
    });

    it("60 parallel wrong guesses spread over three nodes are compared at most verifyCodeMaxAttempts times", async () => {
      await cluster().patchPoolSettings({ verifyCodeMaxAttempts: 5 });
      try {
        const phone = freshPhone();
        assert.equal((await node(0).api("POST", "/api/v3/send-sms", sms(phone))).statusCode, 200);
        const code = await cluster().codeFor(`+86${phone}`, "CHANNEL_LOGIN");
        const wrong = wrongCode(code);
        const answers = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            node(i % 3).api("POST", "/api/v3/pre-check-code", preCheck(phone, wrong)),
          ),
        );
        assert.ok(answers.every((a) => a.statusCode === 200 && a.data.isValid === false));
        const byMessage = new Map<string, number>();
        for (const a of answers) byMessage.set(a.data.message, (byMessage.get(a.data.message) ?? 0) + 1);
        // "wrong" = compared against the code; every other answer found it already exhausted.
        const compared = answers.filter((a) => /incorrect|wrong/i.test(a.data.message)).length;
        assert.equal(compared, 5, JSON.stringify([...byMessage]));
        const row = await cluster()
          .db.kysely.selectFrom("verification_codes")
          .select(["attempts", "max_attempts"])
          .where("target", "=", `+86${phone}`)
          .executeTakeFirstOrThrow();
        assert.deepEqual(row, { attempts: 5, max_attempts: 5 });
        // The right code is dead now too.
        const late = await node(2).api("POST", "/api/v3/pre-check-code", preCheck(phone, code));
        assert.equal(late.data.isValid, false);
      } finally {
        await cluster().patchPoolSettings({ verifyCodeMaxAttempts: 1 });
      }
    });

    it("no node logged a delivered code", () => {
      const logs = cluster().output();
      for (const m of cluster().receiver.received) {
        const { code } = JSON.parse(m.body) as { code?: string };
        if (code)
          assert.ok(!logs.includes(`"${code}"`) && !logs.includes(` ${code} `), `code ${code} logged`);
      }
    });
  });
}
