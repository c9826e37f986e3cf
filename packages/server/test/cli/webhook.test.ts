import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { signUpByEmail } from "../helpers/auth.js";
import { cli } from "../helpers/cli.js";
import { freshEmail } from "../helpers/codes.js";
import { describeEachDialect } from "../helpers/harness.js";
import { startWebhookReceiver } from "../helpers/receivers.js";
import { waitUntil } from "../helpers/wait.js";

describeEachDialect("webhook CLI", (h) => {
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  before(async () => {
    receiver = await startWebhookReceiver();
    h().ctx.events.worker.start();
  });
  after(async () => {
    await h().ctx.events.worker.stop();
    await receiver.close();
  });

  it("create, list, test, update, logs, delete: the server delivers what the CLI set up", async () => {
    const json = async (...argv: string[]) => {
      const r = await cli(h().ctx.config, ...argv, "--json");
      assert.equal(r.code, 0, r.err);
      return JSON.parse(r.out);
    };
    const created = await json(
      "webhook",
      "create",
      receiver.url,
      "--events",
      "register,login",
      "--name",
      "cli",
    );
    assert.deepEqual(created.events, ["register", "login"]);
    assert.ok(created.secret);
    const listed = await json("webhook", "list");
    assert.ok(listed.some((w: { webhookId: string }) => w.webhookId === created.webhookId));
    const tested = await json("webhook", "test", created.webhookId);
    assert.equal(tested.success, true);
    await signUpByEmail(h(), freshEmail("cli-hook"), "pw-cli-hook-1");
    assert.ok(
      await waitUntil(() => receiver.received.some((r) => JSON.parse(r.body).eventName === "register")),
    );
    const updated = await json("webhook", "update", created.webhookId, "--disable");
    assert.equal(updated.enabled, false);
    const logs = await json("webhook", "logs", created.webhookId);
    assert.deepEqual(logs.map((l: { eventName: string }) => l.eventName).sort(), ["register", "test"]);
    await json("webhook", "delete", created.webhookId);
    const again = await cli(h().ctx.config, "webhook", "delete", created.webhookId);
    assert.equal(again.code, 1);
    const events = await json("webhook", "events");
    assert.ok(events.some((e: { event: string }) => e.event === "user:phone-changed"));
  });

  it("a private url is refused when the operator has not allowed it", async () => {
    const r = await cli(
      { ...h().ctx.config, webhookAllowPrivate: false },
      "webhook",
      "create",
      "http://127.0.0.1:9/x",
      "--events",
      "register",
    );
    assert.notEqual(r.code, 0);
    assert.match(r.err, /private or loopback/);
  });
});
