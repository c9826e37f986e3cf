import {
  CreateWebhookRequest,
  DeleteWebhookRequest,
  GetWebhookQuery,
  ListWebhookLogsRequest,
  ListWebhooksQuery,
  managementPaths,
  PubEventRequest,
  PubEventResponse,
  TriggerWebhookRequest,
  TriggerWebhookResponse,
  UpdateWebhookRequest,
  WebhookDeleteResponse,
  WebhookEventListResponse,
  WebhookLogPageResponse,
  WebhookPageResponse,
  WebhookResponse,
} from "@gatehouse/protocol";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { eventOrigin } from "../../http/event-origin.js";
import { managementOf } from "../../http/management-auth.js";

const tags = ["management: webhooks and events"];

/** Webhooks and custom events of the caller's pool (docs/events.md#webhooks). */
export function managementWebhookRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const hooks = ctx.events.webhooks;

    app.post<{ Body: Static<typeof CreateWebhookRequest> }>(
      managementPaths.createWebhook,
      {
        schema: {
          tags,
          summary: "Create a webhook",
          body: CreateWebhookRequest,
          response: { 200: WebhookResponse },
        },
      },
      async (request) => ok(request, await hooks.create(managementOf(request).poolId, request.body)),
    );
    app.get<{ Querystring: Static<typeof ListWebhooksQuery> }>(
      managementPaths.listWebhooks,
      {
        schema: {
          tags,
          summary: "The pool's webhooks",
          querystring: ListWebhooksQuery,
          response: { 200: WebhookPageResponse },
        },
      },
      async (request) =>
        ok(request, await hooks.list(managementOf(request).poolId, request.query.page, request.query.limit)),
    );
    app.get<{ Querystring: Static<typeof GetWebhookQuery> }>(
      managementPaths.getWebhook,
      {
        schema: {
          tags,
          summary: "One webhook",
          querystring: GetWebhookQuery,
          response: { 200: WebhookResponse },
        },
      },
      async (request) => ok(request, await hooks.get(managementOf(request).poolId, request.query.webhookId)),
    );
    app.post<{ Body: Static<typeof UpdateWebhookRequest> }>(
      managementPaths.updateWebhook,
      {
        schema: {
          tags,
          summary: "Change a webhook",
          body: UpdateWebhookRequest,
          response: { 200: WebhookResponse },
        },
      },
      async (request) => ok(request, await hooks.update(managementOf(request).poolId, request.body)),
    );
    app.post<{ Body: Static<typeof DeleteWebhookRequest> }>(
      managementPaths.deleteWebhook,
      {
        schema: {
          tags,
          summary: "Delete webhooks",
          body: DeleteWebhookRequest,
          response: { 200: WebhookDeleteResponse },
        },
      },
      async (request) => {
        await hooks.remove(managementOf(request).poolId, request.body.webhookIds);
        return ok(request);
      },
    );
    app.post<{ Body: Static<typeof ListWebhookLogsRequest> }>(
      managementPaths.getWebhookLogs,
      {
        schema: {
          tags,
          summary: "Every delivery attempt of a webhook",
          body: ListWebhookLogsRequest,
          response: { 200: WebhookLogPageResponse },
        },
      },
      async (request) => ok(request, await hooks.logs(managementOf(request).poolId, request.body)),
    );
    app.post<{ Body: Static<typeof TriggerWebhookRequest> }>(
      managementPaths.triggerWebhook,
      {
        schema: {
          tags,
          summary: "Send the test event now",
          body: TriggerWebhookRequest,
          response: { 200: TriggerWebhookResponse },
        },
      },
      async (request) => ok(request, await hooks.trigger(managementOf(request).poolId, request.body)),
    );
    app.get(
      managementPaths.getWebhookEventList,
      {
        schema: {
          tags,
          summary: "The events a webhook may subscribe to",
          response: { 200: WebhookEventListResponse },
        },
      },
      async (request) => ok(request, hooks.eventList()),
    );
    app.post<{ Body: Static<typeof PubEventRequest> }>(
      managementPaths.pubEvent,
      {
        schema: {
          tags,
          summary: "Publish a custom event",
          body: PubEventRequest,
          response: { 200: PubEventResponse },
        },
      },
      async (request) => {
        await ctx.events.pubEvent(eventOrigin(request), managementOf(request).poolId, request.body);
        return ok(request, { success: true });
      },
    );
  };
}
