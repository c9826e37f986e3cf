import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, describe, it } from "node:test";
import pino from "pino";
import { Courier } from "../../src/messaging/courier.js";
import { logSender } from "../../src/messaging/log-sender.js";
import { smtpSender } from "../../src/messaging/smtp-sender.js";
import type { EmailMessage, SmsMessage } from "../../src/messaging/types.js";
import { webhookSender } from "../../src/messaging/webhook-sender.js";
import { freshEmail, freshPhone } from "../helpers/codes.js";
import { describeEachDialect } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";
import { startSmtpReceiver, startWebhookReceiver } from "../helpers/receivers.js";

const SECRET = "webhook-test-secret";
const smsHook = await startWebhookReceiver();
const emailHook = await startWebhookReceiver();
const unitHook = await startWebhookReceiver();
const slowHook = await startWebhookReceiver();
const smtp = await startSmtpReceiver();
after(async () => {
  await Promise.all([smsHook.close(), emailHook.close(), unitHook.close(), slowHook.close(), smtp.close()]);
});

const smsCode: SmsMessage = {
  kind: "sms",
  to: "+8613800138000",
  phoneNumber: "13800138000",
  phoneCountryCode: "+86",
  channel: "CHANNEL_LOGIN",
  code: "123456",
  text: "Your code is 123456",
};
const emailCode: EmailMessage = {
  kind: "email",
  to: "a@example.com",
  channel: "CHANNEL_BIND_EMAIL",
  code: "123456",
  subject: "Your code",
  text: "Your code is 123456",
  html: "<p>Your code is 123456</p>",
};

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: "info" }, { write: (l: string) => void lines.push(l) }) };
}

describe("webhook sender", () => {
  it("POSTs the SMS body exactly as specified, signed with x-gatehouse-signature", async () => {
    const n = unitHook.received.length;
    await webhookSender({ url: unitHook.url, secret: SECRET }).send(smsCode);
    const got = unitHook.received[n]!;
    assert.equal(
      got.body,
      '{"kind":"sms","channel":"CHANNEL_LOGIN","to":"+8613800138000","phoneNumber":"13800138000","phoneCountryCode":"+86","code":"123456","text":"Your code is 123456"}',
    );
    assert.equal(got.headers["content-type"], "application/json");
    const expected = `sha256=${createHmac("sha256", SECRET).update(got.body).digest("hex")}`;
    assert.equal(got.headers["x-gatehouse-signature"], expected);
  });

  it("POSTs the email body exactly as specified", async () => {
    const n = unitHook.received.length;
    await webhookSender({ url: unitHook.url }).send(emailCode);
    const got = unitHook.received[n]!;
    assert.equal(
      got.body,
      '{"kind":"email","channel":"CHANNEL_BIND_EMAIL","to":"a@example.com","code":"123456","subject":"Your code","text":"Your code is 123456","html":"<p>Your code is 123456</p>"}',
    );
    assert.equal(got.headers["x-gatehouse-signature"], undefined, "unsigned without a secret");
  });

  it("a notification omits code and channel and carries purpose", async () => {
    const n = unitHook.received.length;
    const { channel: _c, code: _k, ...rest } = smsCode;
    await webhookSender({ url: unitHook.url }).send({ ...rest, purpose: "phone_changed", text: "changed" });
    assert.deepEqual(JSON.parse(unitHook.received[n]!.body), {
      kind: "sms",
      purpose: "phone_changed",
      to: "+8613800138000",
      phoneNumber: "13800138000",
      phoneCountryCode: "+86",
      text: "changed",
    });
  });

  it("retries after an HTTP 500 and succeeds; the retry carries the same body and signature", async () => {
    const n = unitHook.received.length;
    unitHook.respondWith(500, 503);
    await webhookSender({ url: unitHook.url, secret: SECRET, retries: 2, backoffMs: 1 }).send(smsCode);
    const tries = unitHook.received.slice(n);
    assert.equal(tries.length, 3);
    assert.equal(new Set(tries.map((t) => t.body)).size, 1);
    assert.equal(new Set(tries.map((t) => t.headers["x-gatehouse-signature"])).size, 1);
  });

  it("gives up after the bounded number of retries", async () => {
    const n = unitHook.received.length;
    unitHook.respondWith(500, 500, 500);
    await assert.rejects(
      webhookSender({ url: unitHook.url, retries: 2, backoffMs: 1 }).send(smsCode),
      /HTTP 500/,
    );
    assert.equal(unitHook.received.length - n, 3);
  });

  it("does not retry a 4xx answer", async () => {
    const n = unitHook.received.length;
    unitHook.respondWith(400);
    await assert.rejects(
      webhookSender({ url: unitHook.url, retries: 3, backoffMs: 1 }).send(smsCode),
      /HTTP 400/,
    );
    assert.equal(unitHook.received.length - n, 1);
  });

  it("times out a receiver that never answers", async () => {
    unitHook.respondWith("hang");
    await assert.rejects(
      webhookSender({ url: unitHook.url, retries: 0, timeoutMs: 200 }).send(smsCode),
      (err: Error) => err.name === "TimeoutError",
    );
  });
});

describe("smtp sender", () => {
  it("delivers through a real SMTP server: from, to, subject, text and html", async () => {
    const sender = smtpSender({ url: smtp.url, from: "Gatehouse <no-reply@gatehouse.test>" });
    try {
      await sender.send(emailCode);
    } finally {
      await sender.close?.();
    }
    const mail = smtp.mails.at(-1)!;
    assert.equal(mail.from, "no-reply@gatehouse.test");
    assert.deepEqual(mail.to, ["a@example.com"]);
    assert.match(mail.raw, /^Subject: Your code$/m);
    assert.match(mail.raw, /Content-Type: text\/plain/);
    assert.match(mail.raw, /Content-Type: text\/html/);
    assert.match(mail.raw, /Your code is 123456/);
  });
});

describe("log sender", () => {
  it("warns loudly that it is a development sender, and logs each message with its code", async () => {
    const { lines, logger } = capturingLogger();
    const sender = logSender(logger, "sms");
    assert.match(lines[0]!, /DEVELOPMENT SENDER/);
    assert.match(lines[0]!, /Never use it in production/);
    assert.equal(JSON.parse(lines[0]!).level, 40, "a warning");
    await sender.send(smsCode);
    const entry = JSON.parse(lines[1]!);
    assert.equal(entry.level, 40);
    assert.match(entry.msg, /DEVELOPMENT SENDER/);
    assert.match(entry.msg, /CHANNEL_LOGIN code 123456/);
    assert.equal(entry.message.to, "+8613800138000");
  });
});

describe("courier", () => {
  it("a failed delivery is logged with a masked address and without the code", async () => {
    const { lines, logger } = capturingLogger();
    const failing = { send: () => Promise.reject(new Error("gateway down")) };
    const courier = new Courier({ sms: failing, email: failing }, logger);
    courier.deliver(smsCode);
    await courier.idle();
    assert.equal(courier.outcomes.sms.failed, 1);
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]!);
    assert.equal(entry.msg, "message delivery failed");
    assert.equal(entry.error, "gateway down");
    assert.equal(entry.to, "+86 138****8000");
    assert.ok(!lines[0]!.includes("123456"));
  });

  it("past its backlog it is full, and drops (logged, masked) what it is still handed", async () => {
    const { lines, logger } = capturingLogger();
    const held: (() => void)[] = [];
    const slow = { send: () => new Promise<void>((resolve) => held.push(resolve)) };
    const courier = new Courier({ sms: slow, email: slow }, logger, 2);
    courier.deliver(smsCode);
    assert.equal(courier.full, false);
    courier.deliver(emailCode);
    assert.equal(courier.full, true);
    courier.deliver(smsCode);
    assert.equal(held.length, 2, "the third never reached the sender");
    assert.deepEqual(courier.outcomes.sms, { delivered: 0, failed: 0, dropped: 1 });
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]!);
    assert.match(entry.msg, /message dropped/);
    assert.equal(entry.to, "+86 138****8000");
    assert.ok(!lines[0]!.includes("123456"));
    for (const release of held) release();
    await courier.idle();
    assert.equal(courier.full, false);
    assert.equal(courier.outcomes.sms.delivered + courier.outcomes.email.delivered, 2);
  });
});

describeEachDialect(
  "a gateway that does not keep up",
  (h) => {
    it("past GATEHOUSE_MESSAGE_BACKLOG in delivery, send-sms answers 503/1000 and takes nothing; once delivered it sends again", async () => {
      const send = (phoneNumber: string) =>
        h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber });
      const [a, b, c] = [freshPhone(), freshPhone(), freshPhone()];
      const n = slowHook.received.length;
      slowHook.respondWith("hold", "hold");
      assert.equal((await send(a)).statusCode, 200);
      assert.equal((await send(b)).statusCode, 200);
      await slowHook.waitFor(n + 2);
      const busy = await send(c);
      assert.equal(busy.statusCode, 503);
      assert.equal(busy.apiCode, 1000);
      assert.equal(slowHook.received.length, n + 2, "no third message went out");
      const metrics = async () => (await h().inject({ method: "GET", url: "/metrics" })).body;
      assert.match(await metrics(), /^gatehouse_messages_in_delivery 2$/m);
      slowHook.release();
      await h().ctx.courier.idle();
      // Nothing was taken for c: no cooldown stands in the way.
      assert.equal((await send(c)).statusCode, 200);
      await slowHook.waitFor(n + 3);
      assert.equal(JSON.parse(slowHook.received[n + 2]!.body).phoneNumber, c);
      await h().ctx.courier.idle();
      const after = await metrics();
      assert.match(after, /^gatehouse_messages_in_delivery 0$/m);
      assert.match(after, /^gatehouse_messages_total\{kind="sms",outcome="delivered"\} 3$/m);
      assert.match(after, /^gatehouse_messages_total\{kind="sms",outcome="dropped"\} 0$/m);
    });
  },
  {
    config: {
      smsSender: "webhook",
      smsWebhookUrl: slowHook.url,
      messageBacklog: 2,
      metrics: { mode: "public" },
    },
  },
);

describeEachDialect(
  "message service through webhooks",
  (h) => {
    it("send-sms reaches the SMS webhook with the exact body and a valid signature", async () => {
      const n = smsHook.received.length;
      const res = await h().api("POST", "/api/v3/send-sms", {
        channel: "CHANNEL_LOGIN",
        phoneNumber: "13800138000",
      });
      assert.equal(res.statusCode, 200);
      await smsHook.waitFor(n + 1);
      const got = smsHook.received[n]!;
      const body = JSON.parse(got.body);
      assert.deepEqual(Object.keys(body), [
        "kind",
        "channel",
        "to",
        "phoneNumber",
        "phoneCountryCode",
        "code",
        "text",
      ]);
      assert.equal(body.kind, "sms");
      assert.equal(body.channel, "CHANNEL_LOGIN");
      assert.equal(body.to, "+8613800138000");
      assert.equal(body.phoneNumber, "13800138000");
      assert.equal(body.phoneCountryCode, "+86");
      assert.match(body.code, /^\d{6}$/);
      assert.ok(body.text.includes(body.code));
      assert.equal(
        got.headers["x-gatehouse-signature"],
        `sha256=${createHmac("sha256", SECRET).update(got.body).digest("hex")}`,
      );
      // The code the webhook got is the one the engine accepts.
      const check = await h().api("POST", "/api/v3/pre-check-code", {
        codeType: "SMS",
        smsCodePayload: { phone: "13800138000", passCode: body.code, channel: "CHANNEL_LOGIN" },
      });
      assert.deepEqual(check.data, { isValid: true });
    });

    it("send-email reaches the email webhook with the exact body", async () => {
      const n = emailHook.received.length;
      const email = freshEmail();
      await h().api("POST", "/api/v3/send-email", { channel: "CHANNEL_REGISTER", email });
      await emailHook.waitFor(n + 1);
      const body = JSON.parse(emailHook.received[n]!.body);
      assert.deepEqual(Object.keys(body), ["kind", "channel", "to", "code", "subject", "text", "html"]);
      assert.equal(body.to, email);
      assert.equal(body.channel, "CHANNEL_REGISTER");
    });

    it("a webhook answering 500 once still gets the message (retried off the request)", async () => {
      const n = smsHook.received.length;
      smsHook.respondWith(500);
      const phone = freshPhone();
      const res = await h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone });
      assert.equal(res.statusCode, 200);
      await h().ctx.courier.idle();
      const tries = smsHook.received.slice(n);
      assert.equal(tries.length, 2);
      assert.equal(tries[0]!.body, tries[1]!.body);
    });

    it("a webhook that keeps failing does not fail the request and leaks no code into the logs", async () => {
      const phone = freshPhone();
      smsHook.respondWith(400);
      const res = await h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone });
      assert.equal(res.statusCode, 200);
      await h().ctx.courier.idle();
      const failure = h().logs.find(
        (l) => l.includes("message delivery failed") && l.includes(phone.slice(-4)),
      );
      assert.ok(failure, "the failure is logged");
      const sent = JSON.parse(smsHook.received.at(-1)!.body);
      assert.equal(sent.phoneNumber, phone);
      assert.ok(!h().logs.some((l) => l.includes(sent.code)), "no log line carries the code");
    });
  },
  {
    config: {
      smsSender: "webhook",
      smsWebhookUrl: smsHook.url,
      emailSender: "webhook",
      emailWebhookUrl: emailHook.url,
      webhookSecret: SECRET,
    },
  },
);

describeEachDialect(
  "message service through SMTP",
  (h) => {
    it("send-email is delivered by the smtp sender to a real SMTP server", async () => {
      await patchPoolSettings(h(), { messageLocale: "en-US" });
      const email = freshEmail();
      const n = smtp.mails.length;
      const res = await h().api("POST", "/api/v3/send-email", { channel: "CHANNEL_LOGIN", email });
      assert.equal(res.statusCode, 200);
      await h().ctx.courier.idle();
      const mail = smtp.mails.slice(n).find((m) => m.to.includes(email));
      assert.ok(mail, "the SMTP server received the mail");
      assert.equal(mail.from, "codes@gatehouse.test");
      const code = /Subject: Your code to sign in: (\d{6})/.exec(mail.raw)?.[1];
      assert.ok(code, mail.raw);
      assert.match(mail.raw, new RegExp(`Your code to sign in is ${code}`));
    });
  },
  { config: { emailSender: "smtp", smtpUrl: smtp.url, emailFrom: "Gatehouse <codes@gatehouse.test>" } },
);

describeEachDialect(
  "message service with the log sender",
  (h) => {
    it("the log sender warns at start and writes the code to the log", async () => {
      assert.ok(h().logs.some((l) => /DEVELOPMENT SENDER: GATEHOUSE_SMS_SENDER=log/.test(l)));
      const phone = freshPhone();
      await h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_REGISTER", phoneNumber: phone });
      await h().ctx.courier.idle();
      const line = h().logs.find((l) => l.includes(`+86${phone}`) && l.includes("DEVELOPMENT SENDER"));
      assert.ok(line);
      assert.match(JSON.parse(line).msg, /CHANNEL_REGISTER code \d{6}/);
    });
  },
  { config: { smsSender: "log", emailSender: "log" } },
);
