import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Dialect } from "../../storage/db.js";
import { allOrNothing } from "../../storage/repos/all-or-nothing.js";
import type { EventRow } from "../../storage/repos/events.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { WebhookDeliveryRow, WebhookLogRow, WebhookRow } from "../../storage/repos/webhooks.js";
import type { Database } from "../../storage/schema.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { attemptsAllowed, type RetryConfig, retryWaitMs } from "./retry.js";
import { postWebhook, type WebhookAttempt, type WebhookCall } from "./webhook-request.js";

export interface DeliveryDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
  logger: Logger;
  allowPrivate: boolean;
  timeoutMs: number;
  /** Claimed deliveries stay this node's until then; a node that dies lets them lapse. */
  leaseMs: number;
}

/** Counts since start, for /metrics. */
export interface DeliveryOutcomes {
  delivered: number;
  retried: number;
  failed: number;
}

export const openSecret = (box: SecretBox, hook: WebhookRow): string =>
  box.open("webhook-secret", hook.id, hook.secret);

export const parseRetry = (hook: WebhookRow): RetryConfig | null =>
  hook.retry_config ? (JSON.parse(hook.retry_config) as RetryConfig) : null;

export function webhookCall(
  deps: Pick<DeliveryDeps, "box" | "allowPrivate" | "timeoutMs">,
  hook: WebhookRow,
  messageId: string,
  payload: WebhookCall["payload"],
): WebhookCall {
  return {
    url: hook.url,
    contentType: hook.content_type as WebhookCall["contentType"],
    secret: openSecret(deps.box, hook),
    poolId: hook.pool_id,
    messageId,
    payload,
    timeoutMs: deps.timeoutMs,
    allowPrivate: deps.allowPrivate,
  };
}

/** One attempt's log row (getWebhookLogs): the request as sent, minus the secret header. */
export async function logAttempt(
  tx: Repositories,
  hook: WebhookRow,
  deliveryId: string | null,
  eventName: string,
  attempt: number,
  a: WebhookAttempt,
  now: number,
): Promise<void> {
  await tx.webhooks.insertLog(logRow(hook, deliveryId, eventName, attempt, a, now));
}

function logRow(
  hook: WebhookRow,
  deliveryId: string | null,
  eventName: string,
  attempt: number,
  a: WebhookAttempt,
  now: number,
): WebhookLogRow {
  return {
    id: newId(),
    webhook_id: hook.id,
    delivery_id: deliveryId,
    event_name: eventName,
    attempt,
    request_body: a.requestBody,
    request_headers: JSON.stringify(a.requestHeaders),
    response_status: a.status,
    response_headers: a.responseHeaders ? JSON.stringify(a.responseHeaders) : null,
    response_body: a.responseBody,
    success: succeeded(a) ? 1 : 0,
    error: a.error,
    duration_ms: a.durationMs,
    created_at: now,
  };
}

export const succeeded = (a: WebhookAttempt): boolean =>
  a.status !== null && a.status >= 200 && a.status < 300;

/** Deliveries of one webhook in flight at once: sent in event order, a few at a time. */
export const LANE_WINDOW = 8;

/**
 * The deliveries of one webhook that this node claimed, sent in event order, up to LANE_WINDOW at
 * a time (docs/events.md#delivery): one at a time, a receiver's round trip would cap the webhook's
 * rate. A failure reschedules that delivery and hands the rest back unattempted, so they are
 * claimed again — by any node — rather than wait here behind a receiver that is failing.
 */
export async function runLane(
  deps: DeliveryDeps,
  outcomes: DeliveryOutcomes,
  hook: WebhookRow | undefined,
  lane: WebhookDeliveryRow[],
  events: Map<string, EventRow>,
): Promise<void> {
  const started = deps.clock.now();
  for (let i = 0; i < lane.length; i += LANE_WINDOW) {
    // Past half the lease, what is left goes back: the lease must never lapse under a live send.
    if (deps.clock.now() - started > deps.leaseMs / 2) {
      await deps.repos.webhooks.releaseDeliveries(lane.slice(i).map((x) => x.id));
      return;
    }
    const window = lane.slice(i, i + LANE_WINDOW);
    const results = await Promise.all(
      window.map(async (d) => {
        const event = events.get(d.event_id);
        if (hook?.enabled && event) return attempt(deps, outcomes, hook, d, event);
        await deps.repos.webhooks.finishDelivery(
          d.id,
          { status: "failed", attempts: d.attempts, next_attempt_at: d.next_attempt_at },
          deps.clock.now(),
        );
        outcomes.failed++;
        return true;
      }),
    );
    if (results.includes(false)) {
      await deps.repos.webhooks.releaseDeliveries(lane.slice(i + LANE_WINDOW).map((x) => x.id));
      return;
    }
  }
}

async function attempt(
  deps: DeliveryDeps,
  outcomes: DeliveryOutcomes,
  hook: WebhookRow,
  d: WebhookDeliveryRow,
  event: EventRow,
): Promise<boolean> {
  const n = d.attempts + 1;
  const payload = JSON.parse(event.data) as WebhookCall["payload"];
  const result = await postWebhook(
    webhookCall(deps, hook, `msg_${event.id}`, payload),
    new Date(deps.clock.now()),
  );
  const ok = succeeded(result);
  const gone = result.status === 410;
  const retry = parseRetry(hook);
  const last = n >= attemptsAllowed(retry);
  const now = deps.clock.now();
  const status = ok ? "delivered" : gone || last ? "failed" : "pending";
  // The log row and the outcome (and a 410's writes) together, as one statement on PostgreSQL.
  const set = {
    status,
    attempts: n,
    next_attempt_at: status === "pending" ? now + retryWaitMs(retry, n + 1) : now,
  };
  await allOrNothing(deps.db, [
    deps.repos.webhooks.insertLogStep(logRow(hook, d.id, event.name, n, result, now)),
    deps.repos.webhooks.finishDeliveryStep(d.id, set, now),
    // 410 Gone: the receiver asks never to be called again.
    ...(gone
      ? [
          deps.repos.webhooks.disableWebhookStep(hook.id, now),
          deps.repos.webhooks.failPendingDeliveriesStep(hook.id, now),
        ]
      : []),
  ]);
  if (ok) outcomes.delivered++;
  else if (status === "failed") {
    outcomes.failed++;
    deps.logger.warn(
      { webhookId: hook.id, event: event.name, attempts: n, status: result.status, error: result.error },
      gone ? "webhook answered 410: disabled" : "webhook delivery failed after its last attempt",
    );
  } else outcomes.retried++;
  if (gone) hook.enabled = 0;
  return ok;
}
