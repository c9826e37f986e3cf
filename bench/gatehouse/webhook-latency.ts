import http from "node:http";
import type { AddressInfo } from "node:net";
import { benchConfig, withBenchContext } from "./bench-context.js";
import type { FreshDatabase } from "./database.js";

/**
 * A webhook receiver for the bench: answers 204 at once and notes when each user's `register`
 * first arrived (performance.now(), the clock the probe's responses are timed with).
 */
export async function arrivalReceiver() {
  const arrived = new Map<string, number>();
  let deliveries = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      deliveries++;
      res.writeHead(204).end();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const id = body?.data?.userId;
        if (body?.eventName === "register" && typeof id === "string" && !arrived.has(id)) arrived.set(id, at);
      } catch {
        // not an event
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // The server keeps delivering after the scenario: the receiver answers until the bench exits,
  // without holding it open.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrived,
    deliveries: () => deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Subscribes `count` webhooks of the pool to `register`, through a context of the bench's own. */
export async function subscribeWebhooks(
  db: FreshDatabase,
  poolId: string,
  urls: string[],
): Promise<string[]> {
  return withBenchContext(benchConfig(db, { webhookAllowPrivate: true }), async (ctx) => {
    const ids: string[] = [];
    for (const [i, url] of urls.entries()) {
      const hook = await ctx.events.webhooks.create(poolId, {
        name: `bench ${i + 1}`,
        url,
        contentType: "application/json",
        events: ["register"],
      });
      ids.push(hook.webhookId);
    }
    return ids;
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/**
 * `n` sign-ups, `concurrency` at a time: for each, the time from its response to its `register`
 * arriving at the receiver (0 when the webhook came first). Returns p50/p99 in ms.
 */
export async function arrivalLatency(
  signUp: (i: number) => Promise<string>,
  receiver: Awaited<ReturnType<typeof arrivalReceiver>>,
  n: number,
  concurrency: number,
): Promise<{ p50: number; p99: number; missing: number }> {
  const answered = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const id = await signUp(next++);
        answered.set(id, performance.now());
      }
    }),
  );
  const deadline = performance.now() + 30_000;
  while ([...answered.keys()].some((id) => !receiver.arrived.has(id)) && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const lags = [...answered]
    .filter(([id]) => receiver.arrived.has(id))
    .map(([id, t]) => Math.max(0, (receiver.arrived.get(id) as number) - t))
    .sort((a, b) => a - b);
  return { p50: pct(lags, 0.5), p99: pct(lags, 0.99), missing: answered.size - lags.length };
}
