import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { freshEmail, freshPhone, sendSmsCode } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings, poolSettings } from "../helpers/pool-settings.js";

/** POST as the default app from a given client IP. */
async function postFrom(h: Harness, ip: string, url: string, payload: Record<string, string>) {
  const res = await h.inject({
    method: "POST",
    url,
    remoteAddress: ip,
    headers: { "x-authing-app-id": h.boot.appId },
    payload,
  });
  return res.json();
}

function sendSmsFrom(h: Harness, ip: string, phoneNumber: string, channel = "CHANNEL_LOGIN") {
  return postFrom(h, ip, "/api/v3/send-sms", { channel, phoneNumber });
}

function assertEnvelope(res: any, statusCode: number, apiCode?: number) {
  assert.equal(res.statusCode, statusCode, JSON.stringify(res));
  assert.equal(res.apiCode, apiCode, JSON.stringify(res));
}

const clock = new FakeClock();

describeEachDialect(
  "verification codes: cooldown and hourly caps",
  (h) => {
    it("a second code for the same number and channel within 60 s answers 429/2080", async () => {
      const phone = freshPhone();
      await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      clock.advance(59_999);
      const again = await h().api("POST", "/api/v3/send-sms", {
        channel: "CHANNEL_LOGIN",
        phoneNumber: phone,
      });
      assertEnvelope(again, 429, 2080);
      clock.advance(1);
      await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    });

    it("the cooldown is per channel: another channel of the same number may send at once", async () => {
      const phone = freshPhone();
      await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      await sendSmsCode(h(), phone, "CHANNEL_BIND_PHONE");
    });

    it("the email cooldown answers 429/2080 too, whatever the address's case", async () => {
      const email = freshEmail();
      const first = await h().api("POST", "/api/v3/send-email", { channel: "CHANNEL_LOGIN", email });
      assertEnvelope(first, 200);
      const again = await h().api("POST", "/api/v3/send-email", {
        channel: "CHANNEL_LOGIN",
        email: email.toUpperCase(),
      });
      assertEnvelope(again, 429, 2080);
    });

    it("a send refused by the cooldown changes nothing: the first code still works", async () => {
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const before = h().ctx.outbox.messages.length;
      assertEnvelope(
        await h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone }),
        429,
        2080,
      );
      assert.equal(h().ctx.outbox.messages.length, before);
      await h().ctx.codes.verifyAndConsume(
        { poolId: h().boot.userPoolId, kind: "sms", target: `+86${phone}` },
        ["CHANNEL_LOGIN"],
        code,
        await poolSettings(h()),
      );
    });

    it("the pool's codeTargetHourlyLimit caps codes to one number per hour (429), then the window resets", async () => {
      await patchPoolSettings(h(), { codeTargetHourlyLimit: 3 });
      const phone = freshPhone();
      const channels = ["CHANNEL_LOGIN", "CHANNEL_REGISTER", "CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"];
      for (const channel of channels.slice(0, 3)) await sendSmsCode(h(), phone, channel);
      const capped = await h().api("POST", "/api/v3/send-sms", { channel: channels[3], phoneNumber: phone });
      assertEnvelope(capped, 429);
      assert.equal(capped.message, "Too many codes requested; try again later");
      clock.advance(3_600_000);
      await sendSmsCode(h(), phone, channels[3]!);
      await patchPoolSettings(h(), { codeTargetHourlyLimit: 0 });
    });

    it("the pool's codeIpHourlyLimit caps codes requested from one client IP per hour (429)", async () => {
      await patchPoolSettings(h(), { codeIpHourlyLimit: 2 });
      assertEnvelope(await sendSmsFrom(h(), "10.1.0.1", freshPhone()), 200);
      assertEnvelope(await sendSmsFrom(h(), "10.1.0.1", freshPhone()), 200);
      assertEnvelope(await sendSmsFrom(h(), "10.1.0.1", freshPhone()), 429);
      // Another IP is not affected.
      assertEnvelope(await sendSmsFrom(h(), "10.1.0.2", freshPhone()), 200);
      await patchPoolSettings(h(), { codeIpHourlyLimit: 0 });
    });

    it("a send refused by the IP cap takes nothing: the number's cooldown and count are untouched", async () => {
      await patchPoolSettings(h(), { codeIpHourlyLimit: 1, codeTargetHourlyLimit: 1 });
      assertEnvelope(await sendSmsFrom(h(), "10.2.0.1", freshPhone()), 200);
      const phone = freshPhone();
      assertEnvelope(await sendSmsFrom(h(), "10.2.0.1", phone), 429);
      // Had the refused send started the cooldown this would be 2080, had it counted, 429.
      assertEnvelope(await sendSmsFrom(h(), "10.2.0.2", phone), 200);
      await patchPoolSettings(h(), { codeIpHourlyLimit: 0, codeTargetHourlyLimit: 0 });
    });

    it("unknown accounts on CHANNEL_RESET_PASSWORD count against the caps like known ones", async () => {
      await patchPoolSettings(h(), { codeIpHourlyLimit: 2 });
      for (let i = 0; i < 2; i++) {
        assertEnvelope(await sendSmsFrom(h(), "10.3.0.1", freshPhone(), "CHANNEL_RESET_PASSWORD"), 200);
      }
      assertEnvelope(await sendSmsFrom(h(), "10.3.0.1", freshPhone(), "CHANNEL_RESET_PASSWORD"), 429);
      await patchPoolSettings(h(), { codeIpHourlyLimit: 0 });
    });

    it("parallel sends to one number and channel deliver exactly one code", async () => {
      const phone = freshPhone();
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone }),
        ),
      );
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
      assert.equal(results.filter((r) => r.apiCode === 2080).length, 9);
      assert.equal(h().ctx.outbox.to(phone).length, 1);
    });
  },
  { clock },
);

describeEachDialect(
  "verification codes: server-wide caps (GATEHOUSE_CODE_*_HOURLY_LIMIT)",
  (h) => {
    it("GATEHOUSE_CODE_TARGET_HOURLY_LIMIT applies when the pool sets none", async () => {
      const email = freshEmail();
      const send = (channel: string) => postFrom(h(), "10.8.0.1", "/api/v3/send-email", { channel, email });
      assertEnvelope(await send("CHANNEL_LOGIN"), 200);
      assertEnvelope(await send("CHANNEL_REGISTER"), 200);
      assertEnvelope(await send("CHANNEL_BIND_EMAIL"), 429);
    });

    it("a pool's own limit overrides the server-wide one", async () => {
      await patchPoolSettings(h(), { codeTargetHourlyLimit: 3 });
      const email = freshEmail();
      for (const channel of ["CHANNEL_LOGIN", "CHANNEL_REGISTER", "CHANNEL_BIND_EMAIL"]) {
        assertEnvelope(await postFrom(h(), "10.8.0.2", "/api/v3/send-email", { channel, email }), 200);
      }
      await patchPoolSettings(h(), { codeTargetHourlyLimit: 0 });
    });

    it("GATEHOUSE_CODE_IP_HOURLY_LIMIT caps one client IP across numbers", async () => {
      for (let i = 0; i < 4; i++) assertEnvelope(await sendSmsFrom(h(), "10.9.0.1", freshPhone()), 200);
      assertEnvelope(await sendSmsFrom(h(), "10.9.0.1", freshPhone()), 429);
    });
  },
  { config: { codeTargetHourlyLimit: 2, codeIpHourlyLimit: 4 } },
);
