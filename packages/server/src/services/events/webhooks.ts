import type {
  CreateWebhookRequest,
  ListWebhookLogsRequest,
  TriggerWebhookRequest,
  UpdateWebhookRequest,
  WebhookDto,
  WebhookRetryConfig,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId, newSecret } from "../../lib/ids.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { WebhookLogRow, WebhookPatch, WebhookRow } from "../../storage/repos/webhooks.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { logAttempt, succeeded, webhookCall } from "./delivery.js";
import { EVENT_CATEGORIES, EVENT_NAMES, EVENTS } from "./names.js";
import { postWebhook } from "./webhook-request.js";
import { assertWebhookUrl } from "./webhook-url.js";

export interface WebhookAdminDeps {
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
  allowPrivate: boolean;
  timeoutMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toWebhookDto(row: WebhookRow, secret?: string): WebhookDto {
  return {
    webhookId: row.id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    name: row.name,
    url: row.url,
    contentType: row.content_type as WebhookDto["contentType"],
    enabled: row.enabled === 1,
    events: JSON.parse(row.events) as string[],
    ...(secret !== undefined ? { secret } : {}),
    ...(row.retry_config ? { retryConfig: JSON.parse(row.retry_config) as WebhookRetryConfig } : {}),
  };
}

const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

function toLogDto(row: WebhookLogRow) {
  return {
    webhookId: row.webhook_id,
    eventName: row.event_name,
    requestBody: parseJson(row.request_body),
    requestHeaders: parseJson(row.request_headers),
    responseStatusCode: row.response_status ?? 0,
    responseHeaders: parseJson(row.response_headers),
    responseBody: row.response_body,
    timestamp: iso(row.created_at),
    success: row.success === 1,
    ...(row.error ? { errorMessage: row.error } : {}),
  };
}

const uniqueEvents = (events: readonly string[]) => JSON.stringify([...new Set(events)]);

/** Webhooks of the management API and the admin CLI (docs/events.md#webhooks). */
export function createWebhookAdmin(deps: WebhookAdminDeps) {
  const { repos, clock, box } = deps;
  const requireWebhook = async (poolId: string, id: string) => {
    const row = await repos.webhooks.findWebhook(poolId, id);
    if (!row) throw new ApiError("WEBHOOK_NOT_FOUND");
    return row;
  };
  return {
    async create(poolId: string, input: CreateWebhookRequest): Promise<WebhookDto> {
      const url = assertWebhookUrl(input.url, deps.allowPrivate);
      const id = newId();
      const secret = input.secret || newSecret();
      const now = clock.now();
      const row: WebhookRow = {
        id,
        pool_id: poolId,
        name: input.name,
        url,
        events: uniqueEvents(input.events),
        content_type: input.contentType,
        enabled: input.enabled === false ? 0 : 1,
        secret: box.seal("webhook-secret", id, secret),
        retry_config: input.retryConfig ? JSON.stringify(input.retryConfig) : null,
        created_at: now,
        updated_at: now,
      };
      await repos.webhooks.insertWebhook(row);
      return toWebhookDto(row, secret);
    },

    async list(poolId: string, page = 1, limit = 10) {
      const [rows, totalCount] = await Promise.all([
        repos.webhooks.listWebhooks(poolId, (page - 1) * limit, limit),
        repos.webhooks.countWebhooks(poolId),
      ]);
      return { totalCount, list: rows.map((r) => toWebhookDto(r)) };
    },

    get: async (poolId: string, id: string) => toWebhookDto(await requireWebhook(poolId, id)),

    async update(poolId: string, input: UpdateWebhookRequest): Promise<WebhookDto> {
      const row = await requireWebhook(poolId, input.webhookId);
      const patch: WebhookPatch = {};
      if (input.name !== undefined) patch.name = input.name;
      if (input.url !== undefined) patch.url = assertWebhookUrl(input.url, deps.allowPrivate);
      if (input.contentType !== undefined) patch.content_type = input.contentType;
      if (input.events !== undefined) patch.events = uniqueEvents(input.events);
      if (input.enabled !== undefined) patch.enabled = input.enabled ? 1 : 0;
      if (input.secret) patch.secret = box.seal("webhook-secret", row.id, input.secret);
      if (input.retryConfig !== undefined) patch.retry_config = JSON.stringify(input.retryConfig);
      await repos.webhooks.updateWebhook(poolId, row.id, patch, clock.now());
      return toWebhookDto(await requireWebhook(poolId, row.id));
    },

    /** Deliveries and logs go with the webhook. Unknown ids are ignored. */
    remove: (poolId: string, ids: readonly string[]) => repos.webhooks.deleteWebhooks(poolId, [...ids]),

    async logs(poolId: string, q: ListWebhookLogsRequest) {
      const row = await requireWebhook(poolId, q.webhookId);
      const page = q.page ?? 1;
      const limit = q.limit ?? 10;
      const [rows, totalCount] = await Promise.all([
        repos.webhooks.listLogs(row.id, (page - 1) * limit, limit),
        repos.webhooks.countLogs(row.id),
      ]);
      return { totalCount, list: rows.map(toLogDto) };
    },

    /**
     * Sends the test event now and answers with what the receiver said (the attempt is logged
     * too). Extra request headers are not sent: a webhook's headers are fixed (docs/events.md).
     */
    async trigger(poolId: string, input: TriggerWebhookRequest) {
      const row = await requireWebhook(poolId, input.webhookId);
      const data = input.requestBody ?? { description: "A test event from Gatehouse" };
      const result = await postWebhook(
        webhookCall(deps, row, `msg_test_${newId()}`, { eventName: "test", data }),
        new Date(clock.now()),
      );
      await logAttempt(repos, row, null, "test", 1, result, clock.now());
      return {
        response: {
          success: succeeded(result),
          statusCode: result.status,
          body: result.responseBody,
          ...(result.error ? { errorMessage: result.error } : {}),
        },
      };
    },

    eventList() {
      return {
        categories: EVENT_CATEGORIES.map((c) => ({ ...c })),
        events: EVENT_NAMES.map((value) => ({
          value,
          name: EVENTS[value].name,
          nameEn: EVENTS[value].nameEn,
          category: EVENTS[value].category,
        })),
      };
    },
  };
}
export type WebhookAdmin = ReturnType<typeof createWebhookAdmin>;
