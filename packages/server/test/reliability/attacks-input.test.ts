import assert from "node:assert/strict";
import { it } from "node:test";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { FakeClock } from "../../src/lib/clock.js";
import { signedInUser, signInByPassword, signUpByEmail } from "../helpers/auth.js";
import { freshEmail, freshPhone } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

const INJECTIONS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "admin'--",
  "x'); DROP TABLE users; --",
  '" OR ""="',
  "1; DELETE FROM sessions",
  "' UNION SELECT id, secret FROM user_pools --",
  "%' OR '%'='",
  "\\'; SELECT pg_sleep(3); --",
];

/** Envelope without its request id, to compare answers. */
const shape = (r: any) => ({ ...r, requestId: undefined });

/**
 * The argon2 calls of the account-enumeration suite's context. Unknown accounts must cost the
 * same as known ones; the costly step is the argon2 verify, so the tests count verifies (a
 * wall-clock comparison is noise on a shared machine, and verifyDummy's own test shows it does
 * one verify at the stored-password parameters).
 */
const argon2Work = { verifies: 0 };
const countingArgon2 = {
  hash: argon2Hash,
  verify: (...args: Parameters<typeof argon2Verify>) => {
    argon2Work.verifies++;
    return argon2Verify(...args);
  },
};

/** How many argon2 verifies `fn` ran. */
async function verifiesDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = argon2Work.verifies;
  await fn();
  return argon2Work.verifies - before;
}

describeEachDialect("attacks: SQL injection strings in every identifier", (h) => {
  it("sign-in, sign-up, codes and lookups treat injection strings as plain text; nothing leaks, nothing changes", async () => {
    await signedInUser(h(), "sqli-victim@example.com", "sqli-victim-pw-1");
    const count = async () => (await h().ctx.db.kysely.selectFrom("users").select("id").execute()).length;
    const before = await count();
    for (const s of INJECTIONS) {
      for (const payload of [{ account: s }, { username: s }, { email: s }, { phone: s }]) {
        const r = await signInByPassword(h(), { ...payload, password: s });
        assert.ok(r.statusCode >= 400 && r.statusCode < 500, JSON.stringify(r));
        assert.equal(r.data?.access_token, undefined);
      }
      const withAppId = await h().api(
        "POST",
        "/api/v3/send-sms",
        { channel: "CHANNEL_LOGIN", phoneNumber: "13900000000" },
        { "x-authing-app-id": s },
      );
      assert.equal(withAppId.statusCode, 404, JSON.stringify(withAppId));
      for (const [url, body] of [
        ["/api/v3/send-email", { channel: "CHANNEL_LOGIN", email: s }],
        ["/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: s }],
        [
          "/api/v3/pre-check-code",
          { codeType: "EMAIL", emailCodePayload: { email: s, passCode: s, channel: "CHANNEL_LOGIN" } },
        ],
      ] as const) {
        const r = await h().api("POST", url, body);
        assert.ok(r.statusCode < 500, JSON.stringify(r));
      }
      const tokenish = await h().inject({
        method: "GET",
        url: `/oidc/me?access_token=${encodeURIComponent(s)}`,
      });
      assert.equal(tokenish.statusCode, 401);
    }
    assert.equal(await count(), before);
  });

  it("an injection string is no valid username (400, nothing stored) but a valid email: stored and matched literally", async () => {
    const name = "x' OR '1'='1";
    const before = await h().ctx.db.kysely.selectFrom("users").select("id").execute();
    const refused = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { username: name, password: "literal-pw-1" },
    });
    assert.equal(refused.statusCode, 400, JSON.stringify(refused));
    assert.equal((await h().ctx.db.kysely.selectFrom("users").select("id").execute()).length, before.length);
    assert.equal((await signInByPassword(h(), { username: name, password: "literal-pw-1" })).statusCode, 403);

    const email = "x'or'1'='1@example.com";
    const up = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { email, password: "literal-pw-1" },
    });
    assert.equal(up.statusCode, 200, JSON.stringify(up));
    const row = await h()
      .ctx.db.kysely.selectFrom("users")
      .select(["id", "email"])
      .where("email", "=", email)
      .executeTakeFirst();
    assert.equal(row?.id, up.data.userId);
    assert.equal((await signInByPassword(h(), { email, password: "literal-pw-1" })).statusCode, 200);
    assert.equal((await signInByPassword(h(), { email, password: "sqli-victim-pw-1" })).statusCode, 403);
  });
});

const clock = new FakeClock(Date.now());

describeEachDialect(
  "attacks: account enumeration",
  (h) => {
    it("setup: a known account with email and password; lockout off so guesses keep answering alike", async () => {
      assert.equal((await signUpByEmail(h(), "known@example.com", "known-password-1")).statusCode, 200);
      await patchPoolSettings(h(), {
        loginAnomalyDetection: {
          accountLockLoginPasswordFailCheck: { enabled: false },
          loginFailCheck: { enabled: false },
        },
      });
    });

    it("sign-in with a wrong password answers the same for a known and an unknown account", async () => {
      const known = await signInByPassword(h(), { email: "known@example.com", password: "wrong-one" });
      const unknown = await signInByPassword(h(), { email: "nobody@example.com", password: "wrong-one" });
      assert.deepEqual(shape(unknown), shape(known));
      const viaAccount = await signInByPassword(h(), {
        account: "nobody@example.com",
        password: "wrong-one",
      });
      assert.deepEqual(shape(viaAccount), shape(known));
    });

    it("with account lockout on, an unknown account counts down and locks exactly like a known one", async () => {
      await patchPoolSettings(h(), {
        loginAnomalyDetection: {
          accountLockLoginPasswordFailCheck: { enabled: true, limit: 3, timeInterval: 60 },
        },
      });
      const answers = async (email: string) => {
        const out = [];
        for (let i = 0; i < 4; i++) out.push(shape(await signInByPassword(h(), { email, password: "nope" })));
        return out;
      };
      assert.deepEqual(await answers("nobody-2@example.com"), await answers("known@example.com"));
      clock.advance(61_000);
      await patchPoolSettings(h(), {
        loginAnomalyDetection: { accountLockLoginPasswordFailCheck: { enabled: false } },
      });
    });

    it("forgot password: send-email/send-sms on CHANNEL_RESET_PASSWORD answer the same for known and unknown targets, and only the known one gets mail", async () => {
      const knownRes = await h().api("POST", "/api/v3/send-email", {
        channel: "CHANNEL_RESET_PASSWORD",
        email: "known@example.com",
      });
      const unknownRes = await h().api("POST", "/api/v3/send-email", {
        channel: "CHANNEL_RESET_PASSWORD",
        email: "nobody@example.com",
      });
      assert.deepEqual(shape(unknownRes), shape(knownRes));
      assert.equal(h().ctx.outbox.to("nobody@example.com").length, 0);
      assert.equal(h().ctx.outbox.to("known@example.com").length, 1);
      const sms = await h().api("POST", "/api/v3/send-sms", {
        channel: "CHANNEL_RESET_PASSWORD",
        phoneNumber: freshPhone(),
      });
      assert.equal(sms.statusCode, 200);
      // The next step answers a guess alike too: "wrong code", never "no such account".
      const verify = (email: string) =>
        h().api("POST", "/api/v3/verify-reset-password-request", {
          verifyMethod: "EMAIL_PASSCODE",
          emailPassCodePayload: { email, passCode: "000000" },
        });
      const [k, u] = [await verify("known@example.com"), await verify("nobody@example.com")];
      assert.deepEqual(shape(u), shape(k));
      clock.advance(61_000);
    });

    it("work: sign-in with a wrong password runs one argon2 verify for a known and for an unknown account", async () => {
      const counts = [];
      for (const body of [
        { email: "known@example.com", password: "wrong-one" },
        { email: "nobody@example.com", password: "wrong-one" },
        { account: "nobody@example.com", password: "wrong-one" },
        { username: "nobody", password: "wrong-one" },
      ]) {
        counts.push(await verifiesDuring(() => signInByPassword(h(), body)));
      }
      assert.deepEqual(counts, [1, 1, 1, 1]);
    });

    it("work: forgot-password send-email writes the code row for a known and for an unknown address alike (mail for the known one only)", async () => {
      const rows = (email: string) =>
        h()
          .ctx.db.kysely.selectFrom("verification_codes")
          .select(["created_at", "attempts"])
          .where("target", "=", email)
          .where("channel", "=", "CHANNEL_RESET_PASSWORD")
          .execute();
      const unknown = freshEmail("nobody");
      clock.advance(61_000); // past the one-minute cooldown
      const mails = h().ctx.outbox.messages.length;
      for (const email of ["known@example.com", unknown]) {
        const r = await h().api("POST", "/api/v3/send-email", { channel: "CHANNEL_RESET_PASSWORD", email });
        assert.equal(r.statusCode, 200, JSON.stringify(r));
      }
      const fresh = [{ created_at: clock.now(), attempts: 0 }];
      assert.deepEqual([await rows("known@example.com"), await rows(unknown)], [fresh, fresh]);
      assert.equal(h().ctx.outbox.messages.length, mails + 1);
      assert.equal(h().ctx.outbox.lastCodeFor(unknown, "CHANNEL_RESET_PASSWORD"), undefined);
    });
  },
  { clock, argon2: countingArgon2 },
);

function sendFrom(h: Harness, ip: string, phoneNumber: string, headers: Record<string, string> = {}) {
  return h
    .inject({
      method: "POST",
      url: "/api/v3/send-sms",
      remoteAddress: ip,
      headers: { "x-authing-app-id": h.boot.appId, ...headers },
      payload: { channel: "CHANNEL_LOGIN", phoneNumber },
    })
    .then((r) => r.json());
}

describeEachDialect(
  "attacks: SMS pumping",
  (h) => {
    it("a burst of 60 codes to 60 different numbers from one IP delivers exactly the IP's hourly cap (20)", async () => {
      const before = h().ctx.outbox.messages.length;
      const answers = await Promise.all(
        Array.from({ length: 60 }, () => sendFrom(h(), "203.0.113.50", freshPhone())),
      );
      assert.equal(answers.filter((a) => a.statusCode === 200).length, 20);
      assert.equal(answers.filter((a) => a.statusCode === 429).length, 40);
      await h().ctx.courier.idle();
      assert.equal(h().ctx.outbox.messages.length - before, 20);
      assert.equal(
        (await sendFrom(h(), "203.0.113.51", freshPhone())).statusCode,
        200,
        "another IP is not affected",
      );
    });

    it("rotating X-Forwarded-For does not escape the cap when the server does not trust proxies", async () => {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          sendFrom(h(), "203.0.113.60", freshPhone(), { "x-forwarded-for": `198.18.0.${i}` }),
        ),
      );
      assert.equal(answers.filter((a) => a.statusCode === 200).length, 20);
    });

    it("one number cannot be pumped either: the per-number cap holds across channels", async () => {
      const phone = freshPhone();
      const channels = [
        "CHANNEL_LOGIN",
        "CHANNEL_REGISTER",
        "CHANNEL_BIND_PHONE",
        "CHANNEL_UNBIND_PHONE",
        "CHANNEL_RESET_PASSWORD",
        "CHANNEL_VERIFY_MFA",
      ];
      const answers = [];
      for (const [i, channel] of channels.entries()) {
        answers.push(
          (
            await h().inject({
              method: "POST",
              url: "/api/v3/send-sms",
              remoteAddress: `203.0.113.${70 + i}`,
              headers: { "x-authing-app-id": h().boot.appId },
              payload: { channel, phoneNumber: phone },
            })
          ).json().statusCode,
        );
      }
      assert.deepEqual(answers, [200, 200, 200, 200, 200, 429]);
    });
  },
  { config: { codeIpHourlyLimit: 20, codeTargetHourlyLimit: 5 } },
);

const corsClock = new FakeClock(Date.now());

describeEachDialect(
  "attacks: cross-origin calls and security headers",
  (h) => {
    const preflight = (origin: string) =>
      h().inject({
        method: "OPTIONS",
        url: "/api/v3/signin",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,x-authing-app-id",
        },
      });

    it("without allowedOrigins no origin gets CORS headers", async () => {
      const res = await preflight("https://evil.example");
      assert.equal(res.headers["access-control-allow-origin"], undefined);
      const get = await h().inject({
        method: "GET",
        url: "/api/v3/system",
        headers: { origin: "https://evil.example" },
      });
      assert.equal(get.headers["access-control-allow-origin"], undefined);
    });

    it("a pool's allowedOrigins are allowed (preflight and request, echoed exactly), no other origin", async () => {
      await patchPoolSettings(h(), { allowedOrigins: ["https://app.example"] });
      const ok = await preflight("https://app.example");
      assert.equal(ok.statusCode, 204);
      assert.equal(ok.headers["access-control-allow-origin"], "https://app.example");
      // With credentials (the SDK sends withCredentials) the origin is echoed exactly, never "*".
      assert.equal(ok.headers["access-control-allow-credentials"], "true");
      assert.match(String(ok.headers.vary), /Origin/i);
      const req = await h().inject({
        method: "POST",
        url: "/api/v3/send-email",
        headers: { origin: "https://app.example", "x-authing-app-id": h().boot.appId },
        payload: { channel: "CHANNEL_LOGIN", email: freshEmail() },
      });
      assert.equal(req.headers["access-control-allow-origin"], "https://app.example");
      // An OPTIONS from an allowed origin that is not a proper preflight: never a text/plain 400.
      const odd = await h().inject({
        method: "OPTIONS",
        url: "/api/v3/signin",
        headers: { origin: "https://app.example" },
      });
      assert.ok(odd.statusCode < 400, `${odd.statusCode} ${odd.body}`);
      for (const origin of [
        "https://evil.example",
        "https://app.example.evil",
        "http://app.example",
        "null",
      ]) {
        assert.equal((await preflight(origin)).headers["access-control-allow-origin"], undefined, origin);
      }
    });

    it("a request through an application of a pool that does not list the origin gets no CORS headers", async () => {
      const res = await h().inject({
        method: "POST",
        url: "/api/v3/send-email",
        headers: { origin: "https://app.example", "x-authing-app-id": "0123456789abcdef01234567" },
        payload: { channel: "CHANNEL_LOGIN", email: freshEmail() },
      });
      assert.equal(res.headers["access-control-allow-origin"], undefined);
    });

    it("security headers on every kind of answer: success, envelope error, 404, OAuth error, discovery", async () => {
      const answers = [
        await h().inject({ method: "GET", url: "/api/v3/system" }),
        await h().inject({ method: "POST", url: "/api/v3/signin", payload: {} }),
        await h().inject({ method: "GET", url: "/api/v3/no-such-thing" }),
        await h().inject({ method: "POST", url: "/oidc/token", payload: { grant_type: "refresh_token" } }),
        await h().inject({ method: "GET", url: "/oidc/.well-known/openid-configuration" }),
      ];
      for (const res of answers) {
        assert.equal(res.headers["x-content-type-options"], "nosniff", res.raw.req.url);
        assert.ok(res.headers["strict-transport-security"], res.raw.req.url);
        assert.ok(res.headers["content-security-policy"], res.raw.req.url);
        assert.equal(res.headers["x-frame-options"], "SAMEORIGIN", res.raw.req.url);
        assert.equal(res.headers["x-powered-by"], undefined);
      }
    });
  },
  { clock: corsClock },
);
