import type { Language } from "@gatehouse/protocol";
import type { Static, TSchema } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ok } from "../../http/envelope.js";
import { eventOrigin } from "../../http/event-origin.js";
import { languageOf } from "../../http/language.js";
import { managementOf } from "../../http/management-auth.js";
import type { EventOrigin } from "../../services/events/scope.js";

/**
 * Management routes whose handler needs only the caller's pool and the validated input: the
 * permission chapters have some forty of them, each one line instead of fifteen. A POST's handler
 * also gets the request's event origin, for the services that write (docs/events.md#the-outbox).
 */
export function poolRoutes(app: FastifyInstance, tags: string[]) {
  return {
    get<Q extends TSchema>(
      path: string,
      summary: string,
      querystring: Q,
      response: TSchema,
      handler: (poolId: string, query: Static<Q>, language: Language) => Promise<unknown>,
    ) {
      app.get<{ Querystring: Static<Q> }>(
        path,
        { schema: { tags, summary, querystring, response: { 200: response } } },
        async (request) =>
          ok(request, await handler(managementOf(request).poolId, request.query, languageOf(request))),
      );
    },
    post<B extends TSchema>(
      path: string,
      summary: string,
      body: B,
      response: TSchema,
      handler: (poolId: string, body: Static<B>, origin: EventOrigin, language: Language) => Promise<unknown>,
    ) {
      app.post<{ Body: Static<B> }>(
        path,
        { schema: { tags, summary, body, response: { 200: response } } },
        async (request) =>
          ok(
            request,
            await handler(
              managementOf(request).poolId,
              request.body,
              eventOrigin(request),
              languageOf(request),
            ),
          ),
      );
    },
  };
}

/** For writes that answer `{success: true}`. */
export const done =
  <A extends unknown[]>(fn: (...args: A) => Promise<unknown>) =>
  async (...args: A) => {
    await fn(...args);
    return { success: true };
  };
