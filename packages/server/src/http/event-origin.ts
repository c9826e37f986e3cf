import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { EventOrigins } from "../services/events/scope.js";

/**
 * Opens the event origin of each request (services/events/scope.ts): events written while the
 * request runs carry its id, and, once the management signature or token named it, the access key
 * as their actor (docs/events.md#the-outbox).
 */
async function eventOriginPlugin(app: FastifyInstance, { origins }: { origins: EventOrigins }) {
  // A callback hook: the rest of the request runs inside `run`, so the origin follows it.
  app.addHook("onRequest", (request, _reply, done) => {
    origins.run({ requestId: request.id }, done);
  });
  app.addHook("preHandler", (request, _reply, done) => {
    const origin = origins.current();
    if (origin && request.management) origin.actor = { type: "admin", id: request.management.accessKeyId };
    done();
  });
}

export default fp(eventOriginPlugin, { name: "event-origin" });
