import assert from "node:assert/strict";
import { it } from "node:test";
import { EMAIL_CHANNELS, SMS_CHANNELS } from "@gatehouse/protocol";
import { newUserRow } from "../../src/services/users/identifiers.js";
import { freshEmail, freshPhone, sendEmailCode, sendSmsCode, wrongCode } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

function assertEnvelope(res: any, statusCode: number, apiCode?: number) {
  assert.equal(res.statusCode, statusCode, JSON.stringify(res));
  assert.equal(res.apiCode, apiCode, JSON.stringify(res));
  assert.equal(typeof res.requestId, "string");
}

/** The envelope minus its per-request id: what must not differ between known and unknown accounts. */
function comparable(res: any) {
  const { requestId: _, ...rest } = res;
  return rest;
}

async function insertUser(h: Harness, fields: { phone?: string; email?: string }) {
  await h.ctx.repos.users.insertUser(newUserRow(h.boot.userPoolId, h.ctx.clock.now(), fields));
}

describeEachDialect("message service: send-sms, send-email, pre-check-code", (h) => {
  it("send-sms delivers a code for the E.164 number and answers CommonResponseDto (no data)", async () => {
    const res = await h().api("POST", "/api/v3/send-sms", {
      channel: "CHANNEL_LOGIN",
      phoneNumber: "13800138000",
    });
    assertEnvelope(res, 200);
    assert.equal(res.message, "Success");
    assert.ok(!("data" in res));
    const m = h().ctx.outbox.lastFor("+8613800138000");
    assert.equal(m?.kind, "sms");
    assert.ok(m?.kind === "sms");
    assert.equal(m.to, "+8613800138000");
    assert.equal(m.phoneNumber, "13800138000");
    assert.equal(m.phoneCountryCode, "+86");
    assert.equal(m.channel, "CHANNEL_LOGIN");
    assert.match(m.code ?? "", /^\d{6}$/);
    assert.ok(m.text.includes(m.code!));
  });

  it("send-sms accepts each of the 11 SMS channels", async () => {
    for (const channel of SMS_CHANNELS) {
      const phone = freshPhone();
      // A reset code goes only to a number that belongs to an account.
      if (channel === "CHANNEL_RESET_PASSWORD") await insertUser(h(), { phone: `+86${phone}` });
      assertEnvelope(await h().api("POST", "/api/v3/send-sms", { channel, phoneNumber: phone }), 200);
      assert.equal(h().ctx.outbox.lastFor(phone)?.channel, channel);
    }
  });

  it("send-email accepts each of the 11 email channels and delivers to the lower-cased address", async () => {
    for (const channel of EMAIL_CHANNELS) {
      const email = freshEmail("Mixed.Case");
      if (channel === "CHANNEL_RESET_PASSWORD") await insertUser(h(), { email: email.toLowerCase() });
      assertEnvelope(await h().api("POST", "/api/v3/send-email", { channel, email }), 200);
      const m = h().ctx.outbox.lastFor(email);
      assert.equal(m?.to, email.toLowerCase());
      assert.equal(m?.channel, channel);
      assert.ok(m?.kind === "email" && m.subject.length > 0 && m.html.includes(m.code!));
    }
  });

  it("phoneCountryCode applies when given, a +prefix in the number wins, the pool default applies otherwise", async () => {
    await h().api("POST", "/api/v3/send-sms", {
      channel: "CHANNEL_LOGIN",
      phoneNumber: "2015550123",
      phoneCountryCode: "+1",
    });
    assert.equal(h().ctx.outbox.lastFor("+12015550123")?.kind, "sms");
    await h().api("POST", "/api/v3/send-sms", {
      channel: "CHANNEL_REGISTER",
      phoneNumber: "+86 138 0013 8001",
    });
    assert.equal(h().ctx.outbox.lastFor("+8613800138001")?.channel, "CHANNEL_REGISTER");
    await patchPoolSettings(h(), { defaultPhoneCountryCode: "+44" });
    await h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: "7400123456" });
    const m = h().ctx.outbox.lastFor("+447400123456");
    assert.ok(m?.kind === "sms");
    assert.equal(m.phoneCountryCode, "+44");
    assert.equal(m.phoneNumber, "7400123456");
    await patchPoolSettings(h(), { defaultPhoneCountryCode: "+86" });
  });

  it("bad input gets its envelope and sends nothing", async () => {
    const before = h().ctx.outbox.messages.length;
    const cases: [string, unknown, number, number | undefined, RegExp][] = [
      [
        "/api/v3/send-sms",
        { channel: "CHANNEL_UPDATE_PHONE", phoneNumber: "13800138000" },
        400,
        undefined,
        /channel/,
      ],
      [
        "/api/v3/send-sms",
        { channel: "CHANNEL_BIND_EMAIL", phoneNumber: "13800138000" },
        400,
        undefined,
        /channel/,
      ],
      [
        "/api/v3/send-email",
        { channel: "CHANNEL_BIND_PHONE", email: "a@example.com" },
        400,
        undefined,
        /channel/,
      ],
      ["/api/v3/send-sms", { phoneNumber: "13800138000" }, 400, undefined, /channel/],
      ["/api/v3/send-sms", { channel: "CHANNEL_LOGIN" }, 400, undefined, /phoneNumber/],
      [
        "/api/v3/send-sms",
        { channel: "CHANNEL_LOGIN", phoneNumber: 13800138000 },
        400,
        undefined,
        /phoneNumber must be a string/,
      ],
      ["/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: "" }, 400, undefined, /phoneNumber/],
      [
        "/api/v3/send-sms",
        { channel: "CHANNEL_LOGIN", phoneNumber: "1".repeat(40) },
        400,
        undefined,
        /phoneNumber/,
      ],
      [
        "/api/v3/send-sms",
        { channel: "CHANNEL_LOGIN", phoneNumber: "12345" },
        400,
        undefined,
        /Phone number is not valid/,
      ],
      [
        "/api/v3/send-sms",
        { channel: "CHANNEL_LOGIN", phoneNumber: "13800138000", phoneCountryCode: "+x" },
        400,
        undefined,
        /Phone/,
      ],
      ["/api/v3/send-email", { channel: "CHANNEL_LOGIN" }, 400, undefined, /email/],
      [
        "/api/v3/send-email",
        { channel: "CHANNEL_LOGIN", email: ["a@example.com"] },
        400,
        undefined,
        /email must be a string/,
      ],
      [
        "/api/v3/send-email",
        { channel: "CHANNEL_LOGIN", email: "not-an-email" },
        400,
        undefined,
        /Email address is not valid/,
      ],
      ["/api/v3/pre-check-code", { codeType: "PHONE" }, 400, undefined, /codeType/],
      ["/api/v3/pre-check-code", { codeType: "SMS" }, 400, undefined, /smsCodePayload is required/],
      [
        "/api/v3/pre-check-code",
        {
          codeType: "EMAIL",
          smsCodePayload: { phone: "13800138000", passCode: "1", channel: "CHANNEL_LOGIN" },
        },
        400,
        undefined,
        /emailCodePayload is required/,
      ],
      [
        "/api/v3/pre-check-code",
        { codeType: "SMS", smsCodePayload: { phone: "13800138000", channel: "CHANNEL_LOGIN" } },
        400,
        undefined,
        /passCode/,
      ],
      [
        "/api/v3/pre-check-code",
        {
          codeType: "SMS",
          smsCodePayload: { phone: "13800138000", passCode: "123456", channel: "CHANNEL_BIND_EMAIL" },
        },
        400,
        undefined,
        /channel/,
      ],
    ];
    for (const [url, body, statusCode, apiCode, message] of cases) {
      const res = await h().api("POST", url, body);
      assertEnvelope(res, statusCode, apiCode);
      assert.match(res.message, message, `${url} ${JSON.stringify(body)} → ${res.message}`);
    }
    assert.equal(h().ctx.outbox.messages.length, before);
  });

  it("the routes are app-scoped: a missing app id answers 400/2011, an unknown one 404/2011", async () => {
    const bodies: Record<string, unknown> = {
      "/api/v3/send-sms": { channel: "CHANNEL_LOGIN", phoneNumber: freshPhone() },
      "/api/v3/send-email": { channel: "CHANNEL_LOGIN", email: freshEmail() },
      "/api/v3/pre-check-code": {
        codeType: "SMS",
        smsCodePayload: { phone: freshPhone(), passCode: "123456", channel: "CHANNEL_LOGIN" },
      },
    };
    for (const [url, body] of Object.entries(bodies)) {
      const missing = await h().inject({ method: "POST", url, payload: body as object });
      assert.equal(missing.statusCode, 200);
      assertEnvelope(missing.json(), 400, 2011);
      const unknown = await h().api("POST", url, body, { "x-authing-app-id": "000000000000000000000000" });
      assertEnvelope(unknown, 404, 2011);
    }
  });

  it("CHANNEL_RESET_PASSWORD: an unknown number answers exactly like a known one, but nothing is delivered", async () => {
    const known = freshPhone();
    const unknown = freshPhone();
    await insertUser(h(), { phone: `+86${known}` });
    const send = (phoneNumber: string) =>
      h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_RESET_PASSWORD", phoneNumber });
    const a = await send(known);
    const b = await send(unknown);
    assert.deepEqual(comparable(b), comparable(a));
    assert.ok(h().ctx.outbox.lastCodeFor(known, "CHANNEL_RESET_PASSWORD"));
    assert.equal(h().ctx.outbox.to(unknown).length, 0);
    // The cooldown and the answers to a guess do not tell them apart either.
    assert.deepEqual(comparable(await send(unknown)), comparable(await send(known)));
    const guess = (phone: string) =>
      h().api("POST", "/api/v3/pre-check-code", {
        codeType: "SMS",
        smsCodePayload: { phone, passCode: "000000", channel: "CHANNEL_RESET_PASSWORD" },
      });
    const code = h().ctx.outbox.lastCodeFor(known)!;
    if (code !== "000000") assert.deepEqual(comparable(await guess(unknown)), comparable(await guess(known)));
  });

  it("CHANNEL_RESET_PASSWORD by email: an unknown address answers exactly like a known one", async () => {
    const known = freshEmail();
    const unknown = freshEmail();
    await insertUser(h(), { email: known });
    const send = (email: string) =>
      h().api("POST", "/api/v3/send-email", { channel: "CHANNEL_RESET_PASSWORD", email });
    assert.deepEqual(
      comparable(await send(unknown.toUpperCase())),
      comparable(await send(known.toUpperCase())),
    );
    assert.ok(h().ctx.outbox.lastCodeFor(known, "CHANNEL_RESET_PASSWORD"));
    assert.equal(h().ctx.outbox.to(unknown).length, 0);
  });

  it("other channels deliver to unknown numbers (sign-in and sign-up by code need that)", async () => {
    const phone = freshPhone();
    await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
  });

  it("pre-check-code says isValid:true for the right code and does not consume it", async () => {
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const body = { codeType: "SMS", smsCodePayload: { phone, passCode: code, channel: "CHANNEL_LOGIN" } };
    for (let i = 0; i < 2; i++) {
      const res = await h().api("POST", "/api/v3/pre-check-code", body);
      assertEnvelope(res, 200);
      assert.deepEqual(res.data, { isValid: true });
    }
    const pool = await h().ctx.repos.pools.findPoolById(h().boot.userPoolId);
    const { parsePoolSettings } = await import("../../src/services/users/pool-settings.js");
    await h().ctx.codes.verifyAndConsume(
      { poolId: h().boot.userPoolId, kind: "sms", target: `+86${phone}` },
      ["CHANNEL_LOGIN"],
      code,
      parsePoolSettings(pool!.settings),
    );
    const spent = await h().api("POST", "/api/v3/pre-check-code", body);
    assert.deepEqual(spent.data, { isValid: false, message: "Verification code has expired or was used up" });
  });

  it("pre-check-code: a wrong code is isValid:false and counts an attempt; a code of another channel is wrong", async () => {
    await patchPoolSettings(h(), { verifyCodeMaxAttempts: 2 });
    const email = freshEmail();
    const code = await sendEmailCode(h(), email, "CHANNEL_BIND_EMAIL");
    const check = (passCode: string, channel = "CHANNEL_BIND_EMAIL") =>
      h().api("POST", "/api/v3/pre-check-code", {
        codeType: "EMAIL",
        emailCodePayload: { email, passCode, channel },
      });
    assert.deepEqual((await check(code, "CHANNEL_LOGIN")).data, {
      isValid: false,
      message: "Verification code is incorrect",
    });
    assert.deepEqual((await check(code)).data, { isValid: true });
    assert.deepEqual((await check(wrongCode(code))).data, {
      isValid: false,
      message: "Verification code is incorrect",
    });
    assert.deepEqual((await check(wrongCode(code))).data, {
      isValid: false,
      message: "Verification code is incorrect",
    });
    assert.deepEqual((await check(code)).data, {
      isValid: false,
      message: "Verification code has expired or was used up",
    });
    await patchPoolSettings(h(), { verifyCodeMaxAttempts: 5 });
  });

  it("no code delivered in this suite appears in any log line", async () => {
    const codes = h()
      .ctx.outbox.messages.map((m) => m.code)
      .filter((c): c is string => c !== undefined);
    assert.ok(codes.length > 20);
    for (const code of codes) {
      assert.ok(
        !h().logs.some((l) => l.includes(`"${code}"`) || l.includes(` ${code}`)),
        `code ${code} logged`,
      );
    }
  });

  it("pre-check-code validates the phone like send-sms does", async () => {
    const res = await h().api("POST", "/api/v3/pre-check-code", {
      codeType: "SMS",
      smsCodePayload: { phone: "123", passCode: "123456", channel: "CHANNEL_LOGIN" },
    });
    assertEnvelope(res, 400);
    assert.equal(res.message, "Phone number is not valid");
  });
});
