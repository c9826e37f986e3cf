import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { WebhookDto } from "@gatehouse/protocol";
import { Value } from "@sinclair/typebox/value";
import { Webhook } from "standardwebhooks";
import { FakeClock } from "../../src/lib/clock.js";
import { signUpByEmail } from "../helpers/auth.js";
import { freshEmail } from "../helpers/codes.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { type ReceivedRequest, startWebhookReceiver } from "../helpers/receivers.js";
import { waitUntil } from "../helpers/wait.js";

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

async function createWebhook(h: Harness, body: Record<string, unknown>) {
  const r = await mgmt(h, "POST", "/api/v3/create-webhook", {
    body: { name: "hook", contentType: "application/json", ...body },
  });
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r.data as WebhookDto;
}

/** The Standard Webhooks check a receiver makes, with the library receivers use. */
function verifies(secret: string, req: ReceivedRequest): boolean {
  try {
    new Webhook(Buffer.from(secret, "utf8"), { format: "raw" }).verify(
      req.body,
      req.headers as Record<string, string>,
      {
        jsonParse: false,
      },
    );
    return true;
  } catch {
    return false;
  }
}

describeEachDialect(
  "events: webhooks",
  (h) => {
    let receiver: Receiver;
    let other: Receiver;
    before(async () => {
      receiver = await startWebhookReceiver();
      other = await startWebhookReceiver();
      h().ctx.events.worker.start();
    });
    after(async () => {
      await h().ctx.events.worker.stop();
      await receiver.close();
      await other.close();
    });

    it("create-webhook answers a WebhookDto with its secret once; get and list never show it", async () => {
      const created = await createWebhook(h(), {
        url: receiver.url,
        events: ["user:created"],
        enabled: false,
      });
      assert.ok(Value.Check(WebhookDto, created));
      assert.ok((created.secret ?? "").length >= 32);
      assert.equal(created.enabled, false);
      const got = await mgmt(h(), "GET", "/api/v3/get-webhook", { params: { webhookId: created.webhookId } });
      assert.equal(got.data.secret, undefined);
      assert.equal(got.data.url, receiver.url);
      const row = await h().ctx.repos.webhooks.findWebhook(h().boot.userPoolId, created.webhookId);
      assert.notEqual(row?.secret, created.secret);
      assert.equal(JSON.stringify(row).includes(created.secret!), false);
      const list = await mgmt(h(), "GET", "/api/v3/list-webhooks", { params: { page: 1, limit: 50 } });
      assert.ok(list.data.totalCount >= 1);
      assert.ok(list.data.list.every((w: WebhookDto) => w.secret === undefined));
      await mgmt(h(), "POST", "/api/v3/delete-webhook", { body: { webhookIds: [created.webhookId] } });
      const gone = await mgmt(h(), "GET", "/api/v3/get-webhook", {
        params: { webhookId: created.webhookId },
      });
      assertApiError(gone, "WEBHOOK_NOT_FOUND");
    });

    it("a url that is not http(s) is refused", async () => {
      const r = await mgmt(h(), "POST", "/api/v3/create-webhook", {
        body: { name: "x", url: "file:///etc/passwd", contentType: "application/json", events: ["register"] },
      });
      assert.equal(r.statusCode, 400);
      assert.equal(r.message, "url 必须是 http 或 https");
    });

    it("a sign-up arrives with GenAuth's headers and a Standard Webhooks signature that verifies", async () => {
      const hook = await createWebhook(h(), {
        url: receiver.url,
        events: ["register"],
        secret: "s3cret-of-the-hook",
      });
      const before = receiver.received.length;
      const up = await signUpByEmail(h(), freshEmail("hooked"), "pw-hooked-1");
      assert.ok(await waitUntil(() => receiver.received.length > before));
      const req = receiver.received[before]!;
      assert.equal(req.headers["user-agent"], "authing-webhook@2.0");
      assert.equal(req.headers["x-authing-webhook-secret"], "s3cret-of-the-hook");
      assert.equal(req.headers["x-authing-userpool-id"], h().boot.userPoolId);
      assert.equal(req.headers["content-type"], "application/json");
      assert.match(String(req.headers["webhook-id"]), /^msg_[0-9a-f]{24}$/);
      assert.ok(verifies("s3cret-of-the-hook", req));
      assert.equal(verifies("another-secret", req), false);
      const body = JSON.parse(req.body);
      assert.equal(body.eventName, "register");
      assert.equal(body.data.userId, up.data.userId);
      await mgmt(h(), "POST", "/api/v3/delete-webhook", { body: { webhookIds: [hook.webhookId] } });
    });

    it("one slow receiver does not hold up another webhook's delivery", async () => {
      const slow = await createWebhook(h(), { url: other.url, events: ["register"] });
      const fast = await createWebhook(h(), { url: receiver.url, events: ["register"] });
      other.respondWith("hold");
      const seenFast = receiver.received.length;
      await signUpByEmail(h(), freshEmail("slowfast"), "pw-slowfast-1");
      assert.ok(await waitUntil(() => receiver.received.length > seenFast));
      assert.ok(await waitUntil(() => other.received.length > 0));
      other.release();
      await h().ctx.events.worker.drain();
      await mgmt(h(), "POST", "/api/v3/delete-webhook", {
        body: { webhookIds: [slow.webhookId, fast.webhookId] },
      });
    });

    it("a form-encoded webhook gets eventName and data as fields", async () => {
      const hook = await createWebhook(h(), {
        url: receiver.url,
        events: ["register"],
        contentType: "application/x-www-form-urlencoded",
      });
      const before = receiver.received.length;
      await signUpByEmail(h(), freshEmail("form"), "pw-form-1");
      assert.ok(await waitUntil(() => receiver.received.length > before));
      const req = receiver.received[before]!;
      assert.equal(req.headers["content-type"], "application/x-www-form-urlencoded");
      const fields = new URLSearchParams(req.body);
      assert.equal(fields.get("eventName"), "register");
      assert.ok(JSON.parse(fields.get("data") ?? "{}").userId);
      assert.ok(verifies(hook.secret!, req));
      await mgmt(h(), "POST", "/api/v3/delete-webhook", { body: { webhookIds: [hook.webhookId] } });
    });

    it("trigger-webhook sends the test event now and answers what the receiver said", async () => {
      const hook = await createWebhook(h(), { url: receiver.url, events: ["register"] });
      const before = receiver.received.length;
      const r = await mgmt(h(), "POST", "/api/v3/trigger-webhook", { body: { webhookId: hook.webhookId } });
      assert.equal(r.data.response.success, true);
      assert.equal(r.data.response.statusCode, 200);
      const body = JSON.parse(receiver.received[before]!.body);
      assert.equal(body.eventName, "test");
      assert.ok(body.data.description);
      const logs = await mgmt(h(), "POST", "/api/v3/get-webhook-logs", {
        body: { webhookId: hook.webhookId },
      });
      assert.equal(logs.data.totalCount, 1);
      assert.equal(logs.data.list[0].eventName, "test");
      assert.equal(logs.data.list[0].requestHeaders["x-authing-webhook-secret"], undefined);
      await mgmt(h(), "POST", "/api/v3/delete-webhook", { body: { webhookIds: [hook.webhookId] } });
    });

    it("a new secret signs the very next delivery (opened secrets are kept by envelope, never stale)", async () => {
      const hook = await createWebhook(h(), {
        url: receiver.url,
        events: ["register"],
        secret: "first-secret-1",
      });
      const trigger = async () => {
        const before = receiver.received.length;
        const r = await mgmt(h(), "POST", "/api/v3/trigger-webhook", { body: { webhookId: hook.webhookId } });
        assert.equal(r.data.response.success, true);
        return receiver.received[before]!;
      };
      for (const [round, secret] of ["first-secret-1", "second-secret-2", "first-secret-1"].entries()) {
        if (round > 0) {
          const u = await mgmt(h(), "POST", "/api/v3/update-webhook", {
            body: { webhookId: hook.webhookId, secret },
          });
          assert.equal(u.statusCode, 200, JSON.stringify(u));
        }
        // Twice each: the second delivery uses the kept opened secret.
        for (let i = 0; i < 2; i++) {
          const req = await trigger();
          assert.equal(req.headers["x-authing-webhook-secret"], secret);
          assert.ok(verifies(secret, req));
        }
      }
      // An event's delivery through the worker, after the last change.
      const before = receiver.received.length;
      await signUpByEmail(h(), freshEmail(), "correct horse 9");
      await waitUntil(() => receiver.received.length > before);
      const delivered = receiver.received[before]!;
      assert.equal(delivered.headers["x-authing-webhook-secret"], "first-secret-1");
      assert.ok(verifies("first-secret-1", delivered));
      await mgmt(h(), "POST", "/api/v3/delete-webhook", { body: { webhookIds: [hook.webhookId] } });
    });

    it("get-webhook-event-list names every event Gatehouse emits, by category", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/get-webhook-event-list");
      const values = r.data.events.map((e: { value: string }) => e.value);
      for (const name of [
        "register",
        "login",
        "user:phone-changed",
        "application:created",
        "user-pool:updated",
      ])
        assert.ok(values.includes(name), name);
      const categories = new Set(r.data.categories.map((c: { value: string }) => c.value));
      assert.ok(r.data.events.every((e: { category: string }) => categories.has(e.category)));
    });
  },
  { config: { webhookTimeoutMs: 2000 } },
);

const clock = new FakeClock(Date.now());
describeEachDialect(
  "events: webhook retries",
  (h) => {
    let receiver: Receiver;
    before(async () => {
      receiver = await startWebhookReceiver();
    });
    after(() => receiver.close());

    it("500, 500, then 200: three attempts with one webhook-id, each signed afresh, all in get-webhook-logs", async () => {
      const hook = await createWebhook(h(), { url: receiver.url, events: ["register"] });
      receiver.respondWith(500, 500);
      await signUpByEmail(h(), freshEmail("retry"), "pw-retry-1");
      const worker = h().ctx.events.worker;
      await worker.drain();
      assert.equal(receiver.received.length, 1);
      for (let i = 0; i < 2; i++) {
        clock.advance(8 * 3_600_000);
        await worker.drain();
      }
      assert.equal(receiver.received.length, 3);
      const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
      assert.equal(ids.size, 1);
      const stamps = new Set(receiver.received.map((r) => r.headers["webhook-timestamp"]));
      assert.equal(stamps.size, 3);
      // The library's verify() compares the timestamp with the real clock; this suite's clock is
      // a day ahead, so each attempt's signature is checked against the library's own sign().
      const wh = new Webhook(Buffer.from(hook.secret!, "utf8"), { format: "raw" });
      for (const r of receiver.received) {
        const at = new Date(Number(r.headers["webhook-timestamp"]) * 1000);
        assert.equal(r.headers["webhook-signature"], wh.sign(String(r.headers["webhook-id"]), at, r.body));
      }
      assert.equal(new Set(receiver.received.map((r) => r.headers["webhook-signature"])).size, 3);
      const logs = await mgmt(h(), "POST", "/api/v3/get-webhook-logs", {
        body: { webhookId: hook.webhookId },
      });
      assert.deepEqual(
        logs.data.list.map((l: { responseStatusCode: number; success: boolean }) => [
          l.responseStatusCode,
          l.success,
        ]),
        [
          [500, false],
          [500, false],
          [200, true],
        ],
      );
      // Each attempt's body as sent (stored once, in the event: storage/repos/webhooks.ts listLogs).
      for (const l of logs.data.list) assert.deepEqual(l.requestBody, JSON.parse(receiver.received[0]!.body));
      const [delivery] = await h().ctx.repos.webhooks.listDeliveriesOfWebhook(hook.webhookId);
      assert.equal(delivery?.status, "delivered");
      assert.equal(delivery?.attempts, 3);
      await mgmt(h(), "POST", "/api/v3/delete-webhook", { body: { webhookIds: [hook.webhookId] } });
    });

    it("after its last attempt a delivery is failed and counted", async () => {
      const hook = await createWebhook(h(), {
        url: receiver.url,
        events: ["register"],
        retryConfig: { enabled: true, count: 1, delay: 1, delayUnit: "Minute" },
      });
      receiver.respondWith(503, 503);
      const worker = h().ctx.events.worker;
      const failedBefore = worker.outcomes.failed;
      await signUpByEmail(h(), freshEmail("fail"), "pw-fail-1");
      await worker.drain();
      clock.advance(3_600_000);
      await worker.drain();
      const [delivery] = await h().ctx.repos.webhooks.listDeliveriesOfWebhook(hook.webhookId);
      assert.equal(delivery?.status, "failed");
      assert.equal(delivery?.attempts, 2);
      assert.equal(worker.outcomes.failed, failedBefore + 1);
      receiver.received.splice(0);
      await mgmt(h(), "POST", "/api/v3/delete-webhook", { body: { webhookIds: [hook.webhookId] } });
    });

    it("410 Gone disables the webhook", async () => {
      const hook = await createWebhook(h(), { url: receiver.url, events: ["register"] });
      receiver.respondWith(410);
      await signUpByEmail(h(), freshEmail("gone"), "pw-gone-1");
      await h().ctx.events.worker.drain();
      const got = await mgmt(h(), "GET", "/api/v3/get-webhook", { params: { webhookId: hook.webhookId } });
      assert.equal(got.data.enabled, false);
      const [delivery] = await h().ctx.repos.webhooks.listDeliveriesOfWebhook(hook.webhookId);
      assert.equal(delivery?.status, "failed");
    });
  },
  { clock },
);
