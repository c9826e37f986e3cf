import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { openDb } from "../../src/storage/db.js";
import { repositories } from "../../src/storage/repos/index.js";
import { type ServerNode, startCluster, startNode } from "../helpers/cluster.js";
import { type DialectName, freshDatabase, postgresAvailable } from "../helpers/harness.js";
import { startWebhookReceiver } from "../helpers/receivers.js";
import { waitUntil } from "../helpers/wait.js";

const pgUp = await postgresAvailable();
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** Webhook settings that make a crash test short: 1 s timeout (so a 6 s lease), retries a second apart. */
const EVENT_ENV = {
  GATEHOUSE_WEBHOOK_ALLOW_PRIVATE: "true",
  GATEHOUSE_WEBHOOK_TIMEOUT_MS: "1000",
  GATEHOUSE_WEBHOOK_POLL_MS: "100",
};
const RETRY = { enabled: true, count: 10, delay: 1, delayUnit: "Second" } as any;

async function subscribe(url: string, boot: { userPoolId: string; userPoolSecret: string }, hookUrl: string) {
  const m = new ManagementClient({
    accessKeyId: boot.userPoolId,
    accessKeySecret: boot.userPoolSecret,
    host: url,
  });
  const r = await m.createWebhook({
    name: "crash",
    url: hookUrl,
    contentType: "application/json" as any,
    events: ["register"],
    retryConfig: RETRY,
  });
  assert.equal(r.statusCode, 200, JSON.stringify(r));
}

/** userId → how many times its `register` arrived, and the webhook-ids seen. */
function registered(receiver: Receiver) {
  const times = new Map<string, number>();
  const ids = new Map<string, number>();
  for (const r of receiver.received) {
    const body = JSON.parse(r.body);
    if (body.eventName !== "register") continue;
    times.set(body.data.userId, (times.get(body.data.userId) ?? 0) + 1);
    const id = String(r.headers["webhook-id"]);
    ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  return { times, ids };
}

async function signUp(url: string, appId: string, i: number): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/api/v3/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-authing-app-id": appId },
      body: JSON.stringify({
        connection: "PASSWORD",
        passwordPayload: {
          username: `crash_${process.pid}_${i}_${Math.random().toString(36).slice(2, 8)}`,
          password: "pw-crash-1",
        },
      }),
    });
    const body = (await res.json()) as { statusCode: number; data?: { userId: string } };
    return body.statusCode === 200 ? body.data?.userId : undefined;
  } catch {
    return undefined;
  }
}

for (const dialect of ["sqlite", "postgres"] as DialectName[]) {
  describe(`events: kill -9 during deliveries and during sign-ups, then restart [${dialect}]`, {
    skip: dialect === "postgres" && !pgUp ? "PostgreSQL unreachable (outside CI)" : false,
  }, () => {
    let node: ServerNode;
    let receiver: Receiver;
    let drop: () => Promise<void>;
    let dbUrl = "";
    before(async () => {
      receiver = await startWebhookReceiver();
      const db = await freshDatabase(dialect);
      drop = db.drop;
      dbUrl = db.url;
      node = await startNode({ env: { GATEHOUSE_DATABASE_URL: db.url, ...EVENT_ENV } });
    });
    after(async () => {
      if (node.child.exitCode === null && node.child.signalCode === null) await node.stop();
      await receiver.close();
      await drop();
      fs.rmSync(node.dataDir, { recursive: true, force: true });
    });

    it("every acknowledged sign-up's `register` arrives after the restart; none of a sign-up that did not commit", async () => {
      const boot = JSON.parse(fs.readFileSync(`${node.dataDir}/bootstrap.json`, "utf8"));
      await subscribe(node.url, boot, receiver.url);
      // The first delivery hangs in the receiver: the node dies with it in flight.
      receiver.respondWith("hold");
      const acknowledged: string[] = [];
      let i = 0;
      const workers = Array.from({ length: 4 }, async () => {
        while (i < 400) {
          const id = await signUp(node.url, boot.appId, i++);
          if (id) acknowledged.push(id);
          else return;
        }
      });
      assert.ok(
        await waitUntil(() => acknowledged.length >= 40 && receiver.received.length >= 1, {
          timeoutMs: 30_000,
        }),
      );
      await node.crash();
      await Promise.all(workers);
      receiver.release();
      await node.restart();
      const all = () => {
        const { times } = registered(receiver);
        return acknowledged.every((id) => times.has(id));
      };
      assert.ok(
        await waitUntil(all, { timeoutMs: 60_000, intervalMs: 100 }),
        "an acknowledged sign-up's event never arrived",
      );
      // Nothing arrives for a user who does not exist: an event only commits with its change.
      const db = openDb(dbUrl);
      try {
        const repos = repositories(db.kysely);
        for (const userId of registered(receiver).times.keys())
          assert.ok(
            await repos.users.findUserById(boot.userPoolId, userId),
            `event of a missing user ${userId}`,
          );
      } finally {
        await db.close();
      }
    });
  });
}

describe("events: three nodes on PostgreSQL deliver each event once per webhook", {
  skip: pgUp ? false : "PostgreSQL unreachable (outside CI)",
}, () => {
  // 200 sign-ups keep the test under a minute on two cores; the claim is the same at 1,000.
  const N = 200;
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let drop: () => Promise<void>;
  let a: Receiver;
  let b: Receiver;
  before(async () => {
    a = await startWebhookReceiver();
    b = await startWebhookReceiver();
    const db = await freshDatabase("postgres");
    drop = db.drop;
    // A 5 s timeout, not the crash test's 1 s: with 1 s, a node starved of CPU on a loaded two-core
    // machine gave up on answers that came late (1.4 s), and the retry of such an attempt arrives
    // a second time — at least once as documented (docs/events.md, "At least once"), not a double
    // fan-out or a double claim, which are what this test is about (docs/performance.md, "The
    // event path in batches").
    cluster = await startCluster({
      nodes: 3,
      databaseUrl: db.url,
      env: { ...EVENT_ENV, GATEHOUSE_WEBHOOK_TIMEOUT_MS: "5000" },
    });
  });
  after(async () => {
    await cluster.close();
    await a.close();
    await b.close();
    await drop();
  });

  it(`${N} sign-ups over three nodes: ${N} register deliveries per webhook, none twice`, async () => {
    await subscribe(cluster.nodes[0]!.url, cluster.boot, a.url);
    await subscribe(cluster.nodes[1]!.url, cluster.boot, b.url);
    let i = 0;
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        while (i < N) {
          const id = await signUp(cluster.nodes[w % 3]!.url, cluster.boot.appId, i++);
          assert.ok(id, "sign-up failed");
          acknowledged.push(id);
        }
      }),
    );
    const repos = repositories(cluster.db.kysely);
    const hooks = await repos.webhooks.listWebhooks(cluster.boot.userPoolId, 0, 10);
    for (const r of [a, b]) {
      assert.ok(await waitUntil(() => registered(r).times.size >= N, { timeoutMs: 60_000, intervalMs: 100 }));
      const hook = hooks.find((h) => h.url === r.url);
      assert.ok(hook);
      // Every delivery's outcome written (the log rows with it), then read what happened.
      const settled = async () =>
        (await repos.webhooks.listDeliveriesOfWebhook(hook.id)).every((d) => d.status !== "pending");
      assert.ok(await waitUntil(settled, { timeoutMs: 30_000, intervalMs: 100 }));
      const deliveries = await repos.webhooks.listDeliveriesOfWebhook(hook.id);
      // One fan-out per event: one delivery per event for this webhook, never two nodes' each.
      assert.equal(
        new Set(deliveries.map((d) => d.event_id)).size,
        deliveries.length,
        "an event fanned out twice",
      );
      assert.equal(deliveries.length, N);
      // One claim per attempt: a delivery re-sent by a second node under a lapsed lease would log
      // the same attempt number twice.
      const logs = await repos.webhooks.listLogs(hook.id, 0, 10 * N);
      const attempts = new Set(logs.map((l) => `${l.delivery_id} ${l.attempt}`));
      assert.equal(attempts.size, logs.length, "an attempt was made twice");
      const { times, ids } = registered(r);
      assert.equal(times.size, N);
      const twice = deliveries.filter((d) => (ids.get(`msg_${d.event_id}`) ?? 0) > 1);
      assert.deepEqual(
        twice.map((d) => ({
          delivery: d.id,
          attempts: logs
            .filter((l) => l.delivery_id === d.id)
            .map((l) => ({
              attempt: l.attempt,
              status: l.response_status,
              error: l.error,
              ms: l.duration_ms,
            })),
        })),
        [],
        "an event arrived twice",
      );
      assert.equal(ids.size, N);
      assert.equal(r.received.length, N);
    }
  });
});
