import { type Static, Type } from "@sinclair/typebox";
import { CommonResponse, Envelope, NonEmpty, Str } from "./common.js";

/** Webhooks of the management API (docs/events.md#webhooks; SDK create-/list-/get-/update-/delete-webhook …). */

/** An event name: one of Gatehouse's (getWebhookEventList) or a custom event's, published through pub-event. */
export const EventNameSchema = Type.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9:_.\\-]+$" });

export const WebhookContentType = Type.Union([
  Type.Literal("application/json"),
  Type.Literal("application/x-www-form-urlencoded"),
]);

export const WebhookRetryConfig = Type.Object({
  enabled: Type.Boolean(),
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  delay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  delayUnit: Type.Optional(
    Type.Union([Type.Literal("Second"), Type.Literal("Minute"), Type.Literal("Hour"), Type.Literal("Day")]),
  ),
});
export type WebhookRetryConfig = Static<typeof WebhookRetryConfig>;

export const WebhookDto = Type.Object({
  webhookId: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  name: Type.String(),
  url: Type.String(),
  contentType: WebhookContentType,
  enabled: Type.Boolean(),
  events: Type.Array(Type.String()),
  /** Only in the answer to create: it is stored sealed and never shown again. */
  secret: Type.Optional(Type.String()),
  retryConfig: Type.Optional(WebhookRetryConfig),
});
export type WebhookDto = Static<typeof WebhookDto>;

export const CreateWebhookRequest = Type.Object({
  name: NonEmpty(128),
  url: NonEmpty(2048),
  contentType: WebhookContentType,
  events: Type.Array(EventNameSchema, { maxItems: 100 }),
  enabled: Type.Optional(Type.Boolean()),
  secret: Type.Optional(Str(256)),
  retryConfig: Type.Optional(WebhookRetryConfig),
});
export type CreateWebhookRequest = Static<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = Type.Object({
  webhookId: NonEmpty(64),
  name: Type.Optional(NonEmpty(128)),
  url: Type.Optional(NonEmpty(2048)),
  contentType: Type.Optional(WebhookContentType),
  events: Type.Optional(Type.Array(EventNameSchema, { maxItems: 100 })),
  enabled: Type.Optional(Type.Boolean()),
  secret: Type.Optional(Str(256)),
  retryConfig: Type.Optional(WebhookRetryConfig),
});
export type UpdateWebhookRequest = Static<typeof UpdateWebhookRequest>;

export const ListWebhooksQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
export const GetWebhookQuery = Type.Object({ webhookId: NonEmpty(64) });
export const DeleteWebhookRequest = Type.Object({
  webhookIds: Type.Array(NonEmpty(64), { minItems: 1, maxItems: 100 }),
});
export const ListWebhookLogsRequest = Type.Object({
  webhookId: NonEmpty(64),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
export type ListWebhookLogsRequest = Static<typeof ListWebhookLogsRequest>;
export const TriggerWebhookRequest = Type.Object({
  webhookId: NonEmpty(64),
  requestHeaders: Type.Optional(Type.Unknown()),
  requestBody: Type.Optional(Type.Unknown()),
});
export type TriggerWebhookRequest = Static<typeof TriggerWebhookRequest>;

export const WebhookLogDto = Type.Object({
  webhookId: Type.String(),
  eventName: Type.String(),
  requestBody: Type.Unknown(),
  requestHeaders: Type.Unknown(),
  responseStatusCode: Type.Integer(),
  responseHeaders: Type.Unknown(),
  responseBody: Type.Unknown(),
  timestamp: Type.String(),
  success: Type.Boolean(),
  errorMessage: Type.Optional(Type.String()),
});

/** pub-event / pub-userEvent: a custom event for subscribers and webhooks. */
export const PubEventRequest = Type.Object({
  eventType: EventNameSchema,
  source: Type.Optional(Str(256)),
  eventData: Type.Unknown(),
});
export type PubEventRequest = Static<typeof PubEventRequest>;

export const WebhookResponse = Envelope(WebhookDto);
export const WebhookPageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(WebhookDto) }),
);
export const WebhookLogPageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(WebhookLogDto) }),
);
export const TriggerWebhookResponse = Envelope(Type.Object({ response: Type.Unknown() }));
export const WebhookEventListResponse = Envelope(
  Type.Object({
    categories: Type.Array(Type.Object({ name: Type.String(), nameEn: Type.String(), value: Type.String() })),
    events: Type.Array(
      Type.Object({
        name: Type.String(),
        nameEn: Type.String(),
        value: Type.String(),
        category: Type.String(),
      }),
    ),
  }),
);
export const PubEventResponse = Envelope(Type.Object({ success: Type.Boolean() }));
export const WebhookDeleteResponse = CommonResponse;
