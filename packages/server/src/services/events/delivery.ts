import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Dialect } from "../../storage/db.js";
import { allOrNothing, type Step } from "../../storage/repos/all-or-nothing.js";
import type { EventRow } from "../../storage/repos/events.js";
import type { Repositories } from "../../storage/repos/index.js";
import type {
  DeliveryOutcome,
  WebhookDeliveryRow,
  WebhookLogRow,
  WebhookRow,
} from "../../storage/repos/webhooks.js";
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

/**
 * `eventText`: the delivery's event's stored text. A body that is that text (every JSON delivery) is
 * not stored again: the row holds "" and the log's reader takes the body from the event
 * (storage/repos/webhooks.ts `listLogs`) — each attempt wrote the whole event a second time
 * (docs/performance.md, "The event path: one look per gap").
 */
function logRow(
  hook: WebhookRow,
  deliveryId: string | null,
  eventName: string,
  attempt: number,
  a: WebhookAttempt,
  now: number,
  eventText?: string,
): WebhookLogRow {
  return {
    id: newId(),
    webhook_id: hook.id,
    delivery_id: deliveryId,
    event_name: eventName,
    attempt,
    request_body: deliveryId !== null && a.requestBody === eventText ? "" : a.requestBody,
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
 * rate. A window's attempts are logged and their outcomes written together, in one all-or-nothing
 * batch (one statement on PostgreSQL), once all of them have answered. A failure reschedules that
 * delivery and hands the rest back unattempted, so they are claimed again — by any node — rather
 * than wait here behind a receiver that is failing. Returns whether it handed any back.
 */
export async function runLane(
  deps: DeliveryDeps,
  outcomes: DeliveryOutcomes,
  hook: WebhookRow | undefined,
  lane: WebhookDeliveryRow[],
  events: Map<string, EventRow>,
  writer: WindowWriter = windowWriter(deps),
): Promise<boolean> {
  const started = deps.clock.now();
  for (let i = 0; i < lane.length; i += LANE_WINDOW) {
    // Past half the lease, what is left goes back: the lease must never lapse under a live send.
    if (deps.clock.now() - started > deps.leaseMs / 2) {
      await deps.repos.webhooks.releaseDeliveries(lane.slice(i).map((x) => x.id));
      return true;
    }
    const window = lane.slice(i, i + LANE_WINDOW);
    const sent = await Promise.all(
      window.map(async (d): Promise<Sent> => {
        const event = events.get(d.event_id);
        if (!hook?.enabled || !event) return { d };
        // The event's stored text is `{eventName, data}` as JSON: the body as it is.
        const result = await postWebhook(
          webhookCall(deps, hook, `msg_${event.id}`, event.data),
          new Date(deps.clock.now()),
        );
        return { d, event, result };
      }),
    );
    if (!(await record(deps, outcomes, hook, sent, writer))) {
      const rest = lane.slice(i + LANE_WINDOW).map((x) => x.id);
      await deps.repos.webhooks.releaseDeliveries(rest);
      return rest.length > 0;
    }
  }
  return false;
}

/** A delivery of a window: attempted (with its event and the answer), or not (webhook or event gone). */
interface Sent {
  d: WebhookDeliveryRow;
  event?: EventRow;
  result?: WebhookAttempt;
}

/**
 * Logs a window's attempts and writes their outcomes — and a 410's disabling — as one
 * all-or-nothing batch. Returns whether every delivery of the window is done with (delivered, or
 * failed for good without an attempt).
 */
async function record(
  deps: DeliveryDeps,
  outcomes: DeliveryOutcomes,
  hook: WebhookRow | undefined,
  sent: readonly Sent[],
  writer: WindowWriter,
): Promise<boolean> {
  const now = deps.clock.now();
  const retry = hook ? parseRetry(hook) : null;
  // 410 Gone: the receiver asks never to be called again; nothing of the window is retried.
  const gone = sent.some((s) => s.result?.status === 410);
  const logs: WebhookLogRow[] = [];
  const done: DeliveryOutcome[] = [];
  let allDone = true;
  for (const { d, event, result } of sent) {
    if (!hook || !event || !result) {
      done.push({ id: d.id, status: "failed", attempts: d.attempts, next_attempt_at: d.next_attempt_at });
      outcomes.failed++;
      continue;
    }
    const n = d.attempts + 1;
    const ok = succeeded(result);
    const status = ok ? "delivered" : gone || n >= attemptsAllowed(retry) ? "failed" : "pending";
    logs.push(logRow(hook, d.id, event.name, n, result, now, event.data));
    done.push({
      id: d.id,
      status,
      attempts: n,
      next_attempt_at: status === "pending" ? now + retryWaitMs(retry, n + 1) : now,
    });
    if (ok) outcomes.delivered++;
    else {
      allDone = false;
      if (status === "failed") {
        outcomes.failed++;
        deps.logger.warn(
          { webhookId: hook.id, event: event.name, attempts: n, status: result.status, error: result.error },
          gone ? "webhook answered 410: disabled" : "webhook delivery failed after its last attempt",
        );
      } else outcomes.retried++;
    }
  }
  const { webhooks } = deps.repos;
  await writer.write({
    logs,
    done,
    now,
    also:
      gone && hook
        ? [
            webhooks.disableWebhookStep(hook.id, now),
            // The window's own rows are written with it: one statement must not write a row twice.
            webhooks.failPendingDeliveriesStep(
              hook.id,
              now,
              sent.map((s) => s.d.id),
            ),
          ]
        : [],
  });
  if (gone && hook) hook.enabled = 0;
  return allDone;
}

/** A window's writes: its attempts' log rows, its deliveries' outcomes, and a 410's steps. */
export interface WindowWrite {
  logs: WebhookLogRow[];
  done: DeliveryOutcome[];
  now: number;
  also: Step[];
}

/** How long a window's write waits for the other lanes' windows, at most (ms). */
export const WRITE_GATHER_MS = 4;

/** Writes windows' rows, several lanes' windows together when they finish together. */
export interface WindowWriter {
  /** Resolves once the window's rows are committed, all or nothing; rejects if they are not. */
  write(w: WindowWrite): Promise<void>;
}

const writeSteps = (deps: Pick<DeliveryDeps, "repos">, ws: readonly WindowWrite[]): Step[] => {
  const logs = ws.flatMap((w) => w.logs);
  const { webhooks } = deps.repos;
  return [
    ...(logs.length > 0 ? [webhooks.insertLogsStep(logs)] : []),
    webhooks.finishDeliveriesStep(
      ws.flatMap((w) => w.done),
      ws[0]!.now,
    ),
    ...ws.flatMap((w) => w.also),
  ];
};

/**
 * One worker's window writes, grouped: the lanes of one claim post to their receivers at the same
 * time and their windows end together, and each window was a statement of its own — on PostgreSQL
 * most of the deliveries' cost in the database was per statement, not per row (docs/performance.md,
 * "The event path: windows written together"). A window that ends while another write is under way,
 * or in the same turn of the event loop, goes out with the others in the next one: one all-or-nothing
 * batch, one statement on PostgreSQL. Each lane still waits for its own window's commit before it
 * goes on, so what a crash can lose is what it could before — attempts already made, sent again.
 * If a grouped batch fails, each window is written on its own, so one window's failure (a webhook
 * deleted under it) stops only its own lane. A 410's window (it disables its webhook) goes alone.
 */
export function windowWriter(
  deps: Pick<DeliveryDeps, "db" | "repos">,
  /** Lanes sending now: once each has a window waiting, the write goes without waiting more. */
  lanes: () => number = () => 1,
): WindowWriter {
  interface Waiting {
    w: WindowWrite;
    resolve: () => void;
    reject: (err: unknown) => void;
  }
  let queue: Waiting[] = [];
  let busy = false;
  let gather: NodeJS.Timeout | undefined;
  const go = () => {
    if (gather) clearTimeout(gather);
    gather = undefined;
    void flush();
  };
  const writeAlone = async (x: Waiting) => {
    try {
      await allOrNothing(deps.db, writeSteps(deps, [x.w]));
      x.resolve();
    } catch (err) {
      x.reject(err);
    }
  };
  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const alone = batch.filter((x) => x.w.also.length > 0);
      const together = batch.filter((x) => x.w.also.length === 0);
      for (const x of alone) await writeAlone(x);
      if (together.length === 1) await writeAlone(together[0]!);
      else if (together.length > 1) {
        try {
          await allOrNothing(
            deps.db,
            writeSteps(
              deps,
              together.map((x) => x.w),
            ),
          );
          for (const x of together) x.resolve();
        } catch {
          for (const x of together) await writeAlone(x);
        }
      }
    }
    busy = false;
  }
  return {
    write(w: WindowWrite): Promise<void> {
      return new Promise((resolve, reject) => {
        queue.push({ w, resolve, reject });
        if (busy) {
          if (gather && queue.length >= lanes()) go();
          return;
        }
        busy = true;
        // The other lanes' windows usually end within a few milliseconds of this one: wait for
        // them, at most WRITE_GATHER_MS, then write what has come (docs/performance.md).
        if (queue.length >= lanes()) setImmediate(go);
        else gather = setTimeout(go, WRITE_GATHER_MS);
      });
    },
  };
}
