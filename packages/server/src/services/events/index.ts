import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../lib/clock.js";
import type { Dialect } from "../../storage/db.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";
import type { SecretBox } from "../secrets/secret-box.js";
import type { Emit } from "./emit.js";
import { createPublisher } from "./publish.js";
import { createEventStream, type StreamedEvent } from "./stream.js";
import { createWebhookAdmin } from "./webhooks.js";
import { createEventWorker } from "./worker.js";

export interface EventsDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
  logger: Logger;
  emit: Emit;
  config: {
    webhookAllowPrivate: boolean;
    webhookTimeoutMs: number;
    webhookPollMs: number;
    webhookConcurrency: number;
  };
  /** Hands a dispatched event to every node's live stream (Redis), or to this node's only. */
  broadcast: (e: StreamedEvent) => void;
}

/**
 * How far apart the worker's looks are. On PostgreSQL a look with webhooks is a fan-out, a claim
 * and a write per webhook, each a committed statement that PostgreSQL's process works on beside the
 * server on the same cores: a look every 100 ms takes several events at once and cost about half
 * the statements per event of one every 25 ms. On SQLite the look runs on the request thread, and
 * bigger batches there lengthened the requests waiting behind them
 * (docs/performance.md, "The event path: one look per gap").
 */
export const lookGapMs = (dialect: Dialect): number => (dialect === "postgres" ? 100 : 25);

/**
 * Events (docs/events.md): the outbox's writer, webhooks and their delivery worker, the live
 * stream. Built once, as `ctx.events`.
 */
export function createEvents(deps: EventsDeps) {
  const { config } = deps;
  const stream = createEventStream();
  const worker = createEventWorker(
    {
      db: deps.db,
      dialect: deps.dialect,
      repos: deps.repos,
      clock: deps.clock,
      box: deps.box,
      logger: deps.logger,
      allowPrivate: config.webhookAllowPrivate,
      timeoutMs: config.webhookTimeoutMs,
      // A lane hands back what is left at half the lease, so a send never outlives its lease.
      leaseMs: config.webhookTimeoutMs * 6,
    },
    {
      pollMs: config.webhookPollMs,
      maxLanes: config.webhookConcurrency,
      claimBatch: 200,
      minGapMs: lookGapMs(deps.dialect),
    },
    deps.broadcast,
  );
  return {
    emit: deps.emit,
    stream,
    worker,
    webhooks: createWebhookAdmin({
      repos: deps.repos,
      clock: deps.clock,
      box: deps.box,
      allowPrivate: config.webhookAllowPrivate,
      timeoutMs: config.webhookTimeoutMs,
    }),
    ...createPublisher({ repos: deps.repos, emit: deps.emit }),
  };
}
export type Events = ReturnType<typeof createEvents>;
