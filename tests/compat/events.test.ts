import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { waitUntil } from "../../packages/server/test/helpers/wait.js";
import { authClient, codeFor, describeCompat, newPhone } from "./helpers.js";

/** The SDK's events chapter (`sub`, `pub`) and its webhook methods, unmodified, against Gatehouse. */
describeCompat("compat: events through authing-node-sdk@4.0.1", (g) => {
  before(() => g().h.ctx.events.worker.start());
  after(() => g().h.ctx.events.worker.stop());

  const socketUri = () => g().url.replace(/^http/, "ws");

  async function phoneUser() {
    const anon = authClient(g());
    const phone = newPhone();
    await anon.sendSms({ channel: "CHANNEL_REGISTER" as any, phoneNumber: phone });
    const up = await anon.signUpByPhoneCode({
      phone,
      passCode: codeFor(g(), phone, "CHANNEL_REGISTER"),
      options: { passwordForPhonePassCode: "Secret-pass-123" } as any,
    });
    assert.equal(up.statusCode, 200, JSON.stringify(up));
    const tokens = await anon.signInByPhonePassword({ phone, password: "Secret-pass-123" });
    assert.equal(tokens.statusCode, 200, JSON.stringify(tokens));
    const sdk = authClient(g(), "client_secret_post", { accessToken: tokens.data.access_token });
    (sdk as any).options.socketUri = socketUri();
    return { sdk, phone, userId: up.data.userId as string };
  }

  it("sub receives user:phone-changed after updatePhone, with masked old and new numbers", async () => {
    const u = await phoneUser();
    const received: string[] = [];
    const errors: unknown[] = [];
    u.sdk.sub(
      "user:phone-changed",
      (m: string) => received.push(m),
      (e: unknown) => errors.push(e),
    );
    // The SDK opens its socket in the background; a first event proves it is listening.
    await waitUntil(() => g().h.ctx.events.stream.size > 0);
    const next = newPhone();
    await u.sdk.sendSms({ channel: "CHANNEL_UNBIND_PHONE" as any, phoneNumber: u.phone });
    await u.sdk.sendSms({ channel: "CHANNEL_BIND_PHONE" as any, phoneNumber: next });
    const v = await u.sdk.verifyUpdatePhoneRequest({
      verifyMethod: "PHONE_PASSCODE" as any,
      phonePassCodePayload: {
        oldPhoneNumber: u.phone,
        oldPhonePassCode: codeFor(g(), u.phone, "CHANNEL_UNBIND_PHONE"),
        newPhoneNumber: next,
        newPhonePassCode: codeFor(g(), next, "CHANNEL_BIND_PHONE"),
      } as any,
    });
    assert.equal(v.statusCode, 200, JSON.stringify(v));
    const done = await u.sdk.updatePhone({ updatePhoneToken: v.data.updatePhoneToken });
    assert.equal(done.statusCode, 200);
    assert.ok(await waitUntil(() => received.length === 1), JSON.stringify(errors));
    const event = JSON.parse(received[0]!);
    assert.equal(event.eventName, "user:phone-changed");
    assert.equal(event.data.userId, u.userId);
    assert.match(event.data.oldValue, /\*\*\*\*/);
    assert.match(event.data.newValue, /\*\*\*\*/);
    assert.equal(JSON.stringify(event).includes(v.data.updatePhoneToken), false);
    closeSockets(u.sdk);
  });

  it("pub reaches the user's own sub", async () => {
    const u = await phoneUser();
    const received: string[] = [];
    u.sdk.sub(
      "sdk:custom",
      (m: string) => received.push(m),
      () => {},
    );
    await waitUntil(() => g().h.ctx.events.stream.size > 0);
    const r = await u.sdk.pub("sdk:custom", "hello from the sdk");
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.ok(await waitUntil(() => received.length === 1));
    assert.deepEqual(JSON.parse(received[0]!), { eventName: "sdk:custom", data: "hello from the sdk" });
    closeSockets(u.sdk);
  });

  it("ManagementClient: createWebhook, listWebhooks, getWebhook, updateWebhook, getWebhookEventList, deleteWebhook", async () => {
    const m = new ManagementClient({
      accessKeyId: g().h.boot.userPoolId,
      accessKeySecret: g().h.boot.userPoolSecret,
      host: g().url,
    });
    const created = await m.createWebhook({
      name: "sdk hook",
      url: "https://hooks.example.com/in",
      contentType: "application/json" as any,
      events: ["register", "user:created"],
      enabled: false,
    });
    assert.equal(created.statusCode, 200, JSON.stringify(created));
    const id = created.data.webhookId;
    assert.equal((await m.getWebhook({ webhookId: id })).data.name, "sdk hook");
    const list = await m.listWebhooks({ page: 1, limit: 10 });
    assert.ok(list.data.list.some((w) => w.webhookId === id));
    const updated = await m.updateWebhook({ webhookId: id, name: "renamed", events: ["login"] });
    assert.deepEqual([updated.data.name, updated.data.events], ["renamed", ["login"]]);
    const kinds = await m.getWebhookEventList();
    assert.ok(kinds.data.events.some((e) => e.value === "register"));
    const logs = await m.getWebhookLogs({ webhookId: id, page: 1, limit: 10 });
    assert.equal(logs.data.totalCount, 0);
    assert.equal((await m.deleteWebhook({ webhookIds: [id] })).statusCode, 200);
    assert.notEqual((await m.getWebhook({ webhookId: id })).statusCode, 200);
  });
});

/** The SDK reconnects closed sockets itself; the test ends them for good. */
function closeSockets(sdk: unknown) {
  const map = (sdk as { wsMap: Record<string, { socket: { terminate(): void } }> }).wsMap;
  (sdk as { options: { retryTimes?: number } }).options.retryTimes = 0;
  for (const entry of Object.values(map)) entry.socket.terminate();
}
