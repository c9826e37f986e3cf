import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, it } from "node:test";
import { buildAuthorization, buildStringToSign } from "authing-node-sdk/dist/utils/buildSignature.js";
import WebSocket from "ws";
import { signedInUser } from "../helpers/auth.js";
import { freshEmail } from "../helpers/codes.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { as } from "../helpers/profile.js";
import { waitUntil } from "../helpers/wait.js";

/** A websocket subscriber: its messages, and how it closed. */
function connect(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const messages: string[] = [];
  const state = { open: false, closeCode: 0 };
  ws.on("message", (m) => messages.push(m.toString("utf8")));
  ws.on("close", (code) => {
    state.closeCode = code;
  });
  const opened = new Promise<void>((resolve) =>
    ws.on("open", () => {
      state.open = true;
      resolve();
    }),
  );
  return { ws, messages, state, opened };
}

describeEachDialect("events: the live stream", (h) => {
  let base = "";
  before(async () => {
    await h().app.listen({ port: 0, host: "127.0.0.1" });
    base = `ws://127.0.0.1:${(h().app.server.address() as AddressInfo).port}`;
    h().ctx.events.worker.start();
  });
  after(() => h().ctx.events.worker.stop());

  it("a signed-in user receives their own events of the name subscribed, nothing else", async () => {
    const me = await signedInUser(h(), freshEmail("sub"), "pw-sub-12");
    const other = await signedInUser(h(), freshEmail("sub-other"), "pw-sub-12");
    const sub = connect(`${base}/events/v1/authentication/sub?code=user:updated&token=${me.access_token}`);
    const otherSub = connect(
      `${base}/events/v1/authentication/sub?code=user:updated&token=${other.access_token}`,
    );
    await Promise.all([sub.opened, otherSub.opened]);
    const r = await as(h(), me.access_token)("POST", "/api/v3/update-profile", { nickname: "Streamed" });
    assert.equal(r.statusCode, 200);
    assert.ok(await waitUntil(() => sub.messages.length === 1));
    const msg = JSON.parse(sub.messages[0]!);
    assert.equal(msg.eventName, "user:updated");
    assert.equal(msg.data.userId, me.userId);
    assert.equal(msg.data.nickname, "Streamed");
    // A login of the same user is another event name: not on this socket.
    await h().ctx.events.worker.drain();
    assert.equal(otherSub.messages.length, 0);
    sub.ws.close();
    otherSub.ws.close();
  });

  it("pub-userEvent reaches the user's subscriber of that name", async () => {
    const me = await signedInUser(h(), freshEmail("pub"), "pw-pub-123");
    const sub = connect(`${base}/events/v1/authentication/sub?code=app:custom&token=${me.access_token}`);
    await sub.opened;
    const r = await as(h(), me.access_token)("POST", "/api/v3/pub-userEvent", {
      eventType: "app:custom",
      source: "test",
      eventData: "hello",
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data.success, true);
    assert.ok(await waitUntil(() => sub.messages.length === 1));
    assert.deepEqual(JSON.parse(sub.messages[0]!), { eventName: "app:custom", data: "hello" });
    sub.ws.close();
  });

  it("an invalid token closes the socket with 4401", async () => {
    const sub = connect(`${base}/events/v1/authentication/sub?code=user:updated&token=not-a-token`);
    assert.ok(await waitUntil(() => sub.state.closeCode !== 0));
    assert.equal(sub.state.closeCode, 4401);
  });

  it("the management stream, signed as the SDK signs it, receives the pool's events; a wrong key is 4401", async () => {
    const authorization = buildAuthorization(
      h().boot.userPoolId,
      h().boot.userPoolSecret,
      buildStringToSign("websocket", "", {}, {}),
    );
    const sub = connect(`${base}/events/v1/management/sub?code=user:created`, { authorization });
    await sub.opened;
    const created = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { email: freshEmail("mgmt-sub") },
    });
    assert.ok(await waitUntil(() => sub.messages.length === 1));
    assert.equal(JSON.parse(sub.messages[0]!).data.userId, created.data.userId);
    sub.ws.close();
    const forged = buildAuthorization(
      h().boot.userPoolId,
      "wrong-secret",
      buildStringToSign("websocket", "", {}, {}),
    );
    const bad = connect(`${base}/events/v1/management/sub?code=user:created`, { authorization: forged });
    assert.ok(await waitUntil(() => bad.state.closeCode !== 0));
    assert.equal(bad.state.closeCode, 4401);
  });

  // Found by fuzz-pages.test.ts (GATEHOUSE_FUZZ_SEED=-776784414): an empty 404 before.
  it("a plain HTTP request to a stream (no upgrade) answers 426 with the error body, whatever its query", async () => {
    for (const url of [
      "/events/v1/authentication/sub?code=user:created",
      "/events/v1/management/sub?a%5Bb%5D%5Bc%5D=%241&__proto__=",
    ]) {
      const res = await h().inject({ method: "GET", url });
      assert.equal(res.statusCode, 426, url);
      const body = res.json();
      assert.equal(body.statusCode, 426);
      assert.match(body.message, /WebSocket/);
      assert.equal(typeof body.requestId, "string");
    }
  });
});
