import { opsPaths } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { MetricsExposure } from "../config.js";
import type { Courier } from "../messaging/courier.js";
import type { EventWorker } from "../services/events/worker.js";
import type { Db } from "../storage/db.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The Prometheus text of this app's registry (served by main.ts on its own port in `port:<n>` mode). */
    metricsText?: () => Promise<{ contentType: string; body: string }>;
  }
}

/**
 * Prometheus text — request count and duration by route and status, and the
 * messages (SMS, email) by outcome with how many are in delivery now: a gateway that fails or
 * stops answering shows there before users report codes that never came. On PostgreSQL, the
 * statements sent to the database: per request, the round trips a database across a network
 * charges (docs/performance.md, "Round trips").
 */
async function metricsPlugin(
  app: FastifyInstance,
  {
    courier,
    db,
    webhooks,
    exposure,
  }: {
    courier: Courier;
    db: Db;
    webhooks: Pick<EventWorker, "outcomes" | "inFlight">;
    exposure: MetricsExposure;
  },
) {
  // Off: no collection either — the request hook is a per-request cost.
  if (exposure.mode === "off") return;
  // Loaded only when metrics are on (~1.8 MB of heap): off is the default (docs/performance.md §Memory at idle).
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = await import("prom-client");
  // One registry per app instance, so tests that build several apps do not collide.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "gatehouse_" });
  const labels = ["method", "route", "status"] as const;
  const requests = new Counter({
    name: "gatehouse_http_requests_total",
    help: "HTTP requests",
    labelNames: labels,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "gatehouse_http_request_duration_seconds",
    help: "HTTP request duration",
    labelNames: labels,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Counter({
    name: "gatehouse_messages_total",
    help: "SMS and emails by outcome: delivered, failed (after the sender's retries) or dropped (backlog full)",
    labelNames: ["kind", "outcome"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, counts] of Object.entries(courier.outcomes)) {
        for (const [outcome, n] of Object.entries(counts)) this.inc({ kind, outcome }, n);
      }
    },
  });
  new Gauge({
    name: "gatehouse_messages_in_delivery",
    help: "SMS and emails handed to a sender and not yet delivered or given up on",
    registers: [registry],
    collect() {
      this.set(courier.inDelivery);
    },
  });
  const roundTrips = db.roundTrips;
  if (roundTrips) {
    new Counter({
      name: "gatehouse_db_round_trips_total",
      help: "Statements sent to PostgreSQL (each a round trip), begin and commit included",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(roundTrips.count);
      },
    });
  }
  new Counter({
    name: "gatehouse_webhook_deliveries_total",
    help: "Webhook delivery attempts by outcome on this node: delivered, retried (a failed attempt with more to come) or failed (after the last attempt, or 410)",
    labelNames: ["outcome"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, n] of Object.entries(webhooks.outcomes)) this.inc({ outcome }, n);
    },
  });
  new Gauge({
    name: "gatehouse_webhook_lanes_busy",
    help: "Webhooks this node is sending to now",
    registers: [registry],
    collect() {
      this.set(webhooks.inFlight);
    },
  });
  app.addHook("onResponse", async (request, reply) => {
    const l = {
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status: String(reply.statusCode),
    };
    requests.inc(l);
    duration.observe(l, reply.elapsedTime / 1000);
  });
  const render = async () => ({ contentType: registry.contentType, body: await registry.metrics() });
  app.decorate("metricsText", render);
  if (exposure.mode !== "public") return;
  app.get(opsPaths.metrics, { schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await render();
    return reply.type(contentType).send(body);
  });
}

export default fp(metricsPlugin, { name: "metrics" });
