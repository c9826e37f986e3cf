import type { FastifyRequest } from "fastify";
import type { EventOrigin } from "../services/events/scope.js";
import "./management-auth.js";

/**
 * The event origin of a request (services/events/scope.ts): events it causes carry its id and,
 * once the management signature or token named it, the access key as their actor
 * (docs/events.md#the-outbox). Routes hand it to the services that emit; nothing carries it
 * implicitly.
 */
export function eventOrigin(request: FastifyRequest): EventOrigin {
  return request.management
    ? { requestId: request.id, actor: { type: "admin", id: request.management.accessKeyId } }
    : { requestId: request.id };
}
