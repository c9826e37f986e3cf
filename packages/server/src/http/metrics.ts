import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** GET /metrics: Prometheus text, request count and duration by route and status. */
async function metricsPlugin(app: FastifyInstance) {
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
  app.addHook("onResponse", async (request, reply) => {
    const l = {
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status: String(reply.statusCode),
    };
    requests.inc(l);
    duration.observe(l, reply.elapsedTime / 1000);
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

export default fp(metricsPlugin, { name: "metrics" });
