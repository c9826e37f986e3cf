import { opsPaths } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";

/** /health: the process is up. /ready: the database answers. */
export function healthRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    app.get(opsPaths.health, { schema: { hide: true }, logLevel: "warn" }, async () => ({ status: "ok" }));
    app.get(opsPaths.ready, { schema: { hide: true }, logLevel: "warn" }, async (_request, reply) => {
      if (await ctx.admin.health.databaseAnswers()) return { status: "ready" };
      return reply.code(503).send({ status: "unavailable", reason: "database unreachable" });
    });
  };
}
