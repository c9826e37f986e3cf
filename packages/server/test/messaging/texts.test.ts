import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EMAIL_CHANNELS, SMS_CHANNELS } from "@gatehouse/protocol";
import { FakeClock } from "../../src/lib/clock.js";
import {
  codeEmail,
  codeSmsText,
  notificationEmail,
  notificationSmsText,
} from "../../src/messaging/templates.js";
import { channelActions, notificationTexts } from "../../src/messaging/texts.js";
import { defaultPoolSettings } from "../../src/services/users/pool-settings.js";
import { freshEmail, freshPhone, sendEmailCode, sendSmsCode } from "../helpers/codes.js";
import { describeEachDialect } from "../helpers/harness.js";
import { patchPoolSettings, poolSettings } from "../helpers/pool-settings.js";

const zh = { ...defaultPoolSettings() };
const en = { ...defaultPoolSettings(), messageLocale: "en-US" as const };

describe("message texts", () => {
  it("zh-CN is the default locale", () => {
    assert.equal(defaultPoolSettings().messageLocale, "zh-CN");
    assert.match(
      codeSmsText("CHANNEL_LOGIN", "123456", 300, zh),
      /^您正在登录，验证码为 123456，5 分钟内有效/,
    );
  });

  it("every SMS channel has a text in zh-CN and en-US naming its purpose and carrying the code", () => {
    for (const channel of SMS_CHANNELS) {
      for (const [settings, locale] of [
        [zh, "zh-CN"],
        [en, "en-US"],
      ] as const) {
        const text = codeSmsText(channel, "048213", 300, settings);
        assert.ok(text.includes("048213"), `${channel} ${locale}`);
        assert.ok(text.includes(channelActions[channel]![locale]), `${channel} ${locale}: ${text}`);
        assert.ok(!/[{}]/.test(text), text);
      }
    }
  });

  it("every email channel has a subject, text and html in zh-CN and en-US", () => {
    for (const channel of EMAIL_CHANNELS) {
      for (const settings of [zh, en]) {
        const m = codeEmail(channel, "048213", 600, settings);
        assert.ok(m.subject.includes(channelActions[channel]![settings.messageLocale]), m.subject);
        assert.ok(m.text.includes("048213") && m.text.includes("10"), m.text);
        assert.ok(m.html.startsWith("<!doctype html>") && m.html.includes("048213"), m.html);
      }
    }
    assert.equal(codeEmail("CHANNEL_LOGIN", "1234", 300, en).subject, "Your code to sign in: 1234");
  });

  it("a pool overrides a channel's text per locale; {code} and {minutes} are filled in", () => {
    const settings = {
      ...en,
      messageTemplates: { CHANNEL_LOGIN: { "en-US": "ACME login code {code} ({minutes} min)" } },
    };
    assert.equal(codeSmsText("CHANNEL_LOGIN", "777777", 120, settings), "ACME login code 777777 (2 min)");
    // Other channels and the other locale keep the defaults.
    assert.match(
      codeSmsText("CHANNEL_REGISTER", "777777", 120, settings),
      /^Your code to create your account/,
    );
    assert.match(
      codeSmsText("CHANNEL_LOGIN", "777777", 120, { ...settings, messageLocale: "zh-CN" }),
      /^您正在登录/,
    );
  });

  it("an override for one kind (`sms.<channel>`) wins over the bare channel key; email subjects are overridable", () => {
    const settings = {
      ...zh,
      messageTemplates: {
        CHANNEL_LOGIN: { "zh-CN": "通用 {code}", "zh-CN.subject": "ACME 登录 <{code}>" },
        "sms.CHANNEL_LOGIN": { "zh-CN": "短信专用 {code}" },
      },
    };
    assert.equal(codeSmsText("CHANNEL_LOGIN", "1234", 300, settings), "短信专用 1234");
    const mail = codeEmail("CHANNEL_LOGIN", "1234", 300, settings);
    assert.equal(mail.text, "通用 1234");
    assert.equal(mail.subject, "ACME 登录 <1234>");
  });

  it("override text is escaped in the html part", () => {
    const settings = { ...en, messageTemplates: { CHANNEL_LOGIN: { "en-US": "<b>{code}</b> & more" } } };
    assert.match(
      codeEmail("CHANNEL_LOGIN", "1234", 300, settings).html,
      /&lt;b&gt;1234&lt;\/b&gt; &amp; more/,
    );
  });

  it("every notification purpose has zh-CN and en-US texts without a code", () => {
    const params = {
      time: "2026-01-01 00:00 UTC",
      newPhone: "+86 138****8000",
      newEmail: "a***@example.com",
      phone: "+86 138****8000",
      email: "a***@example.com",
    };
    for (const purpose of Object.keys(notificationTexts)) {
      for (const settings of [zh, en]) {
        const sms = notificationSmsText(purpose, params, settings);
        const mail = notificationEmail(purpose, params, settings);
        assert.ok(sms.includes("2026-01-01 00:00 UTC"), sms);
        assert.ok(!/[{}]/.test(sms + mail.subject + mail.text), `${purpose}: placeholder left`);
        assert.ok(mail.subject.length > 0 && mail.html.includes(mail.text.split("\n")[0]!.slice(0, 5)));
      }
    }
  });
});

const clock = new FakeClock(Date.UTC(2026, 4, 17, 8, 30));

describeEachDialect(
  "message texts and notifications through the API",
  (h) => {
    it("a pool with messageLocale en-US sends English codes", async () => {
      await patchPoolSettings(h(), { messageLocale: "en-US" });
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_BIND_PHONE");
      const m = h().ctx.outbox.lastFor(phone);
      assert.equal(
        m?.text,
        `Your code to link this phone number is ${code}. It expires in 5 min. Never share it; if this wasn't you, ignore this message.`,
      );
      await patchPoolSettings(h(), { messageLocale: "zh-CN" });
    });

    it("a pool's messageTemplates override is used for its channel", async () => {
      await patchPoolSettings(h(), {
        messageTemplates: {
          "email.CHANNEL_REGISTER": { "zh-CN": "欢迎加入 ACME，验证码 {code}", "zh-CN.subject": "ACME 注册" },
        },
      });
      const email = freshEmail();
      const code = await sendEmailCode(h(), email, "CHANNEL_REGISTER");
      const m = h().ctx.outbox.lastFor(email);
      assert.ok(m?.kind === "email");
      assert.equal(m.subject, "ACME 注册");
      assert.equal(m.text, `欢迎加入 ACME，验证码 ${code}`);
    });

    it("notify sends a notice with a purpose and no code, by SMS and by email", async () => {
      const settings = await poolSettings(h());
      const phone = `+86${freshPhone()}`;
      const email = freshEmail();
      h().ctx.notifier.notify({
        poolId: h().boot.userPoolId,
        kind: "sms",
        to: phone,
        purpose: "phone_changed",
        settings,
        params: { newPhone: "+86 139****0001" },
      });
      h().ctx.notifier.notify({
        poolId: h().boot.userPoolId,
        kind: "email",
        to: email.toUpperCase(),
        purpose: "password_changed",
        settings,
      });
      const sms = h().ctx.outbox.lastFor(phone);
      assert.ok(sms?.kind === "sms");
      assert.equal(sms.purpose, "phone_changed");
      assert.equal(sms.code, undefined);
      assert.equal(sms.channel, undefined);
      assert.equal(
        sms.text,
        "您账号绑定的手机号已于 2026-05-17 08:30 UTC 更换为 +86 139****0001。如非本人操作，请立即联系管理员。",
      );
      const mail = h().ctx.outbox.lastFor(email);
      assert.ok(mail?.kind === "email");
      assert.equal(mail.to, email);
      assert.equal(mail.purpose, "password_changed");
      assert.equal(mail.code, undefined);
      assert.equal(mail.subject, "您的账号密码已修改");
    });

    it("notify respects the pool's notification switches", async () => {
      await patchPoolSettings(h(), { notifyOnPhoneChange: false });
      const settings = await poolSettings(h());
      const phone = `+86${freshPhone()}`;
      h().ctx.notifier.notify({
        poolId: h().boot.userPoolId,
        kind: "sms",
        to: phone,
        purpose: "phone_changed",
        settings,
      });
      assert.equal(h().ctx.outbox.to(phone).length, 0);
      // Other purposes are not switched off by it.
      h().ctx.notifier.notify({
        poolId: h().boot.userPoolId,
        kind: "sms",
        to: phone,
        purpose: "phone_bound",
        settings,
        params: { phone: "+86 139****0002" },
      });
      assert.equal(h().ctx.outbox.lastFor(phone)?.purpose, "phone_bound");
      await patchPoolSettings(h(), { notifyOnPhoneChange: true });
    });
  },
  { clock },
);
