import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatehouseError } from "../src/index.js";
import { clientFor, fresh, lastCode } from "./helpers/accounts.js";
import { liveGatehouse } from "./helpers/gatehouse.js";

describe("messages: sendSms, sendEmail, preCheckCode against a real Gatehouse", () => {
  const gh = liveGatehouse({ codeTargetHourlyLimit: 1000, codeIpHourlyLimit: 1000 });

  it("sendSms delivers a code; preCheckCode says valid without consuming it", async () => {
    const { phone } = fresh();
    const client = clientFor(gh());
    const sent = await client.sendSms({
      channel: "CHANNEL_LOGIN",
      phoneNumber: phone,
      phoneCountryCode: "+86",
    });
    assert.equal(sent.statusCode, 200);
    const passCode = lastCode(gh().h, phone, "CHANNEL_LOGIN");
    const payload = { phone, phoneCountryCode: "+86", passCode, channel: "CHANNEL_LOGIN" } as const;
    assert.equal(
      (await client.preCheckCode({ codeType: "SMS", smsCodePayload: payload })).data.isValid,
      true,
    );
    assert.equal(
      (await client.preCheckCode({ codeType: "SMS", smsCodePayload: payload })).data.isValid,
      true,
    );
  });

  it("sendEmail delivers a code; a wrong code pre-checks as invalid", async () => {
    const { email } = fresh();
    const client = clientFor(gh());
    await client.sendEmail({ channel: "CHANNEL_BIND_EMAIL", email });
    const code = lastCode(gh().h, email, "CHANNEL_BIND_EMAIL");
    const wrong = code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);
    const res = await client.preCheckCode({
      codeType: "EMAIL",
      emailCodePayload: { email, passCode: wrong, channel: "CHANNEL_BIND_EMAIL" },
    });
    assert.equal(res.data.isValid, false);
  });

  it("a second code within the minute throws CODE_COOLDOWN (429/2080)", async () => {
    const { email } = fresh();
    const client = clientFor(gh());
    await client.sendEmail({ channel: "CHANNEL_LOGIN", email });
    const err = await client.sendEmail({ channel: "CHANNEL_LOGIN", email }).catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 429);
    assert.equal(err.apiCode, 2080);
    assert.equal(err.name, "CODE_COOLDOWN");
  });

  it("an unknown channel is refused with 400 before anything is sent", async () => {
    const { phone } = fresh();
    const err = await clientFor(gh())
      .sendSms({ channel: "CHANNEL_UPDATE_PHONE" as never, phoneNumber: phone })
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 400);
  });
});
