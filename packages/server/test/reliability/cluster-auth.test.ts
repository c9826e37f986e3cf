import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterForSuite } from "../helpers/cluster.js";
import { freshEmail, freshPhone } from "../helpers/codes.js";
import { type Harness, postgresAvailable } from "../helpers/harness.js";
import { randomNonce, signedRequest } from "../helpers/management.js";
import { redisAvailable } from "../helpers/redis.js";
import { waitUntil } from "../helpers/wait.js";

const pgUp = await postgresAvailable();
const redisReachable = await redisAvailable();

for (const withRedis of [false, true]) {
  describe(`three nodes share sign-in, sessions and lockouts [postgres${withRedis ? " + redis" : ""}]`, {
    skip: !pgUp || (withRedis && !redisReachable),
  }, () => {
    const cluster = clusterForSuite({ redis: withRedis });
    const node = (i: number) => cluster().nodes[i % 3]!;
    /** Tokens and passwords of this suite: none may appear in any node's output. */
    const secrets: string[] = ["revoke-me-pw-1", "lock-me-pw-1", "burst-pw-1", "created-by-admin-1"];
    const client = () => ({ client_id: cluster().boot.appId, client_secret: cluster().boot.appSecret });
    const passcodeSignIn = (i: number, phone: string, passCode: string, ip: string) =>
      node(i).api(
        "POST",
        "/api/v3/signin",
        {
          connection: "PASSCODE",
          passCodePayload: { phone, phoneCountryCode: "+86", passCode },
          options: { autoRegister: true },
          ...client(),
        },
        { "x-forwarded-for": ip },
      );
    const passwordSignIn = (i: number, email: string, password: string, ip: string) =>
      node(i).api(
        "POST",
        "/api/v3/signin",
        { connection: "PASSWORD", passwordPayload: { email, password }, ...client() },
        { "x-forwarded-for": ip },
      );
    const signUp = async (email: string, password: string) => {
      const r = await node(0).api("POST", "/api/v3/signup", {
        connection: "PASSWORD",
        passwordPayload: { email, password },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
    };
    const me = (i: number, token: string) =>
      fetch(`${node(i).url}/oidc/me`, { headers: { authorization: `Bearer ${token}` } });

    it("a login code sent through node 1 signs in on node 2 and is then rejected as used on node 3", async () => {
      const phone = freshPhone();
      assert.equal(
        (await node(0).api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone }))
          .statusCode,
        200,
      );
      const code = await cluster().codeFor(`+86${phone}`, "CHANNEL_LOGIN");
      const first = await passcodeSignIn(1, phone, code, "198.51.100.1");
      assert.equal(first.statusCode, 200, JSON.stringify(first));
      const again = await passcodeSignIn(2, phone, code, "198.51.100.1");
      assert.equal(again.statusCode, 400, JSON.stringify(again));
      assert.equal(again.apiCode, 2300);
    });

    it("one login code spent in parallel on all three nodes signs in exactly once", async () => {
      const phone = freshPhone();
      await node(0).api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone });
      const code = await cluster().codeFor(`+86${phone}`, "CHANNEL_LOGIN");
      const results = await Promise.all(
        Array.from({ length: 9 }, (_, i) => passcodeSignIn(i, phone, code, "198.51.100.2")),
      );
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1, JSON.stringify(results));
      // The losers are told the code is spent, whichever node they reached (as on a single node).
      for (const r of results.filter((x) => x.statusCode !== 200))
        assert.deepEqual([r.statusCode, r.apiCode], [400, 2300], JSON.stringify(r));
    });

    /** A phone user signed in through node 1 (passcode sign-in with autoRegister). */
    async function phoneUser(ip: string) {
      const phone = freshPhone();
      await node(0).api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone });
      const login = await passcodeSignIn(
        0,
        phone,
        await cluster().codeFor(`+86${phone}`, "CHANNEL_LOGIN"),
        ip,
      );
      assert.equal(login.statusCode, 200, JSON.stringify(login));
      secrets.push(login.data.access_token, login.data.id_token);
      return { phone, token: login.data.access_token as string };
    }

    it("one updatePhoneToken spent in parallel on all three nodes changes the phone exactly once", async () => {
      const user = await phoneUser("198.51.100.7");
      const auth = { authorization: user.token };
      const next = freshPhone();
      await node(1).api("POST", "/api/v3/send-sms", {
        channel: "CHANNEL_UNBIND_PHONE",
        phoneNumber: user.phone,
      });
      await node(2).api("POST", "/api/v3/send-sms", { channel: "CHANNEL_BIND_PHONE", phoneNumber: next });
      const verified = await node(1).api(
        "POST",
        "/api/v3/verify-update-phone-request",
        {
          verifyMethod: "PHONE_PASSCODE",
          phonePassCodePayload: {
            newPhoneNumber: next,
            newPhonePassCode: await cluster().codeFor(`+86${next}`, "CHANNEL_BIND_PHONE"),
            newPhoneCountryCode: "+86",
            oldPhoneNumber: user.phone,
            oldPhonePassCode: await cluster().codeFor(`+86${user.phone}`, "CHANNEL_UNBIND_PHONE"),
            oldPhoneCountryCode: "+86",
          },
        },
        auth,
      );
      assert.equal(verified.statusCode, 200, JSON.stringify(verified));
      const updatePhoneToken = verified.data.updatePhoneToken as string;
      const answers = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          node(i).api("POST", "/api/v3/update-phone", { updatePhoneToken }, auth),
        ),
      );
      assert.equal(answers.filter((a) => a.statusCode === 200).length, 1, JSON.stringify(answers));
      for (const a of answers.filter((x) => x.statusCode !== 200))
        assert.deepEqual([a.statusCode, a.apiCode], [400, 2207], JSON.stringify(a));
      const row = await cluster()
        .db.kysely.selectFrom("users")
        .select("phone")
        .where("phone", "=", `+86${next}`)
        .execute();
      assert.equal(row.length, 1);
      const events = await cluster()
        .db.kysely.selectFrom("audit_events")
        .select("id")
        .where("action", "=", "user.phone.changed")
        .where("new_value", "like", `%${next.slice(-4)}`)
        .execute();
      assert.equal(events.length, 1, "one change, one audit event");
    });

    it("a token revoked on node 1 is refused on nodes 2 and 3 within one second", async () => {
      const email = freshEmail("revoke");
      await signUp(email, "revoke-me-pw-1");
      const login = await passwordSignIn(0, email, "revoke-me-pw-1", "198.51.100.3");
      assert.equal(login.statusCode, 200);
      const token = login.data.access_token as string;
      secrets.push(token, login.data.id_token);
      // Nodes 2 and 3 have just seen the session open (and may have cached that).
      for (const i of [1, 2]) assert.equal((await me(i, token)).status, 200);
      const revoked = await fetch(`${node(0).url}/oidc/token/revocation`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token, ...client() }),
      });
      assert.equal(revoked.status, 200);
      assert.equal((await me(0, token)).status, 401);
      const refusedEverywhere = async () =>
        (await Promise.all([me(1, token), me(2, token)])).every((r) => r.status === 401);
      assert.ok(
        await waitUntil(refusedEverywhere, { timeoutMs: 1000 }),
        "nodes 2 and 3 still accept the revoked token after one second",
      );
      for (const i of [1, 2]) {
        const api = await node(i).api("GET", "/api/v3/get-my-login-history", undefined, {
          authorization: token,
        });
        assert.equal(api.statusCode, 401, JSON.stringify(api));
      }
    });

    it("an account lock reached across the three nodes holds on every node, even for the right password", async () => {
      await cluster().patchPoolSettings({
        loginAnomalyDetection: {
          accountLockLoginPasswordFailCheck: { enabled: true, limit: 3, timeInterval: 300 },
        },
      });
      const email = freshEmail("lock");
      await signUp(email, "lock-me-pw-1");
      const answers = [];
      for (const i of [0, 1, 2]) answers.push(await passwordSignIn(i, email, "wrong-pw", "198.51.100.4"));
      assert.deepEqual(
        answers.map((a) => [a.apiCode, a.data?.remainCount]),
        [
          [2333, 2],
          [2333, 1],
          [2333, 0],
        ],
      );
      for (const i of [0, 1, 2]) {
        const locked = await passwordSignIn(i, email, "lock-me-pw-1", "198.51.100.4");
        assert.equal(locked.apiCode, 2057, JSON.stringify(locked));
      }
    });

    it("30 parallel wrong passwords over three nodes are checked at most `limit` times before the lock", async () => {
      const email = freshEmail("burst");
      await signUp(email, "burst-pw-1");
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => passwordSignIn(i, email, `wrong-${i}`, "198.51.100.5")),
      );
      const checked = answers.filter((a) => a.apiCode === 2333).length;
      const locked = answers.filter((a) => a.apiCode === 2057).length;
      assert.equal(checked, 3, JSON.stringify(answers.map((a) => a.apiCode)));
      assert.equal(locked, 27);
    });

    /** A request signed as ManagementClient signs it, to send to any node. */
    const signed = (method: "GET" | "POST", path: string, body?: unknown) =>
      signedRequest(
        { boot: cluster().boot, ctx: { clock: { now: () => Date.now() } } } as unknown as Harness,
        method,
        path,
        { body, nonce: randomNonce() },
      );
    const send = async (i: number, req: ReturnType<typeof signed>) => {
      const res = await fetch(`${node(i).url}${req.url}`, {
        method: req.method,
        headers: { ...req.headers, ...(req.payload ? { "content-type": "application/json" } : {}) },
        body: req.payload,
      });
      return res.json();
    };

    it("a signed management request replayed on nodes 2 and 3 is refused (one nonce cache for all nodes)", async () => {
      const req = signed("GET", "/api/v3/list-users");
      assert.equal((await send(0, req)).statusCode, 200);
      for (const i of [1, 2]) {
        const replay = await send(i, req);
        assert.equal(replay.apiCode, 1306, JSON.stringify(replay));
      }
    });

    it("one signed request sent 9 times in parallel over three nodes is served exactly once", async () => {
      const email = freshEmail("mgmt");
      const req = signed("POST", "/api/v3/create-user", { email, password: "created-by-admin-1" });
      const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => send(i, req)));
      assert.equal(answers.filter((a) => a.statusCode === 200).length, 1, JSON.stringify(answers));
      assert.equal(answers.filter((a) => a.apiCode === 1306).length, 8);
      const users = await cluster()
        .db.kysely.selectFrom("users")
        .select("id")
        .where("email", "=", email)
        .execute();
      assert.equal(users.length, 1);
    });

    it("the IP limit holds across nodes", async () => {
      await cluster().patchPoolSettings({
        loginAnomalyDetection: { loginFailCheck: { enabled: true, limit: 4, timeInterval: 300 } },
      });
      try {
        const answers = [];
        for (let i = 0; i < 6; i++) {
          answers.push((await passwordSignIn(i, freshEmail("ip"), "nope", "198.51.100.6")).apiCode);
        }
        assert.deepEqual(answers, [2333, 2333, 2333, 2333, 2057, 2057]);
      } finally {
        await cluster().patchPoolSettings({ loginAnomalyDetection: { loginFailCheck: { limit: 50 } } });
      }
    });

    it("no node logged a password, token or code of this suite", () => {
      const out = cluster().output();
      for (const s of secrets) if (s) assert.ok(!out.includes(s), `a node logged ${s.slice(0, 6)}…`);
      // Codes are short digit strings: only a standalone one counts (not part of a timestamp or id).
      for (const r of cluster().receiver.received) {
        const code = JSON.parse(r.body).code as string | undefined;
        if (code)
          assert.doesNotMatch(
            out,
            new RegExp(`(?<![0-9A-Za-z.])${code}(?![0-9A-Za-z])`),
            "a node logged a code",
          );
      }
    });
  });
}
