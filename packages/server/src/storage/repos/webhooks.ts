import { CompiledQuery, PostgresAdapter, type Selectable, sql } from "kysely";
import type { WebhookDeliveryTable, WebhookLogTable, WebhookTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled, markUnprepared } from "./compiled.js";
import { type EventRow, eventsByIds } from "./events.js";
import type { Executor } from "./executor.js";

export type WebhookRow = Selectable<WebhookTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type NewDeliveryRow = Omit<WebhookDeliveryRow, "seq">;
export type WebhookLogRow = Selectable<WebhookLogTable>;

export type WebhookPatch = Partial<
  Pick<WebhookRow, "name" | "url" | "events" | "content_type" | "enabled" | "secret" | "retry_config">
>;

/** The dispatcher's read after every claim of events: compiled once per number of pools. */
const enabledOfPools = compiled("webhooks.enabledOfPools", (db, poolIds: readonly string[]) =>
  db.selectFrom("webhooks").selectAll().where("pool_id", "in", poolIds).where("enabled", "=", sql.lit(1)),
);

/*
 * The event worker's statements, run for every delivery (docs/performance.md, "The event path"):
 * compiled once per shape (storage/repos/compiled.ts).
 */
const webhooksByIds = compiled("webhooks.byIds", (db, ids: readonly string[]) =>
  db.selectFrom("webhooks").selectAll().where("id", "in", ids),
);
/**
 * Leases up to `limit` due deliveries, oldest first, skipping `busy` webhooks. On PostgreSQL
 * `FOR UPDATE SKIP LOCKED` lets several nodes claim at once without taking the same row.
 */
function claimDueQuery(
  db: Executor,
  leaseUntil: number,
  now: number,
  stillNow: number,
  busy: readonly string[],
  limit: number,
) {
  const skipLocked = db.getExecutor().adapter instanceof PostgresAdapter;
  const due = db
    .selectFrom("webhook_deliveries")
    .select("seq")
    .where("status", "=", sql.lit("pending"))
    .where("next_attempt_at", "<=", now)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", stillNow)]))
    .$if(busy.length > 0, (q) => q.where("webhook_id", "not in", busy))
    .orderBy("seq")
    .limit(limit);
  return db
    .updateTable("webhook_deliveries")
    .set({ lease_until: leaseUntil })
    .where("seq", "in", skipLocked ? due.forUpdate().skipLocked() : due)
    .returningAll();
}
const claimDue = compiled("webhooks.claimDue", claimDueQuery);
/**
 * PostgreSQL: the claim, the claimed deliveries' events and their webhooks in one statement (the
 * worker needs all three to send; three statements before: docs/performance.md, "The event path").
 */
const claimDueWithRows = compiled(
  "webhooks.claimDueWithRows",
  (db, leaseUntil: number, now: number, stillNow: number, busy: readonly string[], limit: number) =>
    db
      .with("c", () => claimDueQuery(db, leaseUntil, now, stillNow, busy, limit))
      .selectFrom("c")
      .selectAll("c")
      .select([
        sql<EventRow | null>`(select to_jsonb(e) from "events" e where e."id" = "c"."event_id")`.as("event"),
        sql<WebhookRow | null>`(select to_jsonb(h) from "webhooks" h where h."id" = "c"."webhook_id")`.as(
          "hook",
        ),
      ]),
);

/** Claimed deliveries with what sending them needs. */
export interface ClaimedDeliveries {
  /** Oldest first. */
  deliveries: WebhookDeliveryRow[];
  hooks: Map<string, WebhookRow>;
  events: Map<string, EventRow>;
}

/** One delivery's outcome, for finishDeliveriesStep. */
export interface DeliveryOutcome {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
}

/**
 * The outcomes of a lane's window of deliveries in one `UPDATE … FROM (VALUES …)`: one statement
 * however many (docs/performance.md, "The event path"). The text depends only on the count.
 */
const finishManyTexts = new Map<string, string>();
function finishManyText(postgres: boolean, count: number): string {
  const key = `${postgres ? "p" : "s"}${count}`;
  const hit = finishManyTexts.get(key);
  if (hit) return hit;
  // Parameters in the order of the text (SQLite's `?` are positional): the time, then the rows.
  let n = 0;
  const p = (type: string) => (postgres ? `cast($${++n} as ${type})` : "?");
  const updatedAt = p("bigint");
  const rows: string[] = [];
  for (let i = 0; i < count; i++) rows.push(`(${p("text")}, ${p("text")}, ${p("integer")}, ${p("bigint")})`);
  const text =
    `update "webhook_deliveries" as d set "status" = v.column2, "attempts" = v.column3, ` +
    `"next_attempt_at" = v.column4, "lease_until" = null, "updated_at" = ${updatedAt} ` +
    `from (values ${rows.join(", ")}) as v where d."id" = v.column1`;
  // Planned at every run: prepared, the plan made while the table was small — a hash join over a
  // sequential scan of every delivery — stayed as the table grew (docs/performance.md, "The event
  // path: plans for the table as it is").
  if (postgres) markUnprepared(text);
  finishManyTexts.set(key, text);
  return text;
}
const insertLogs = compiled("webhooks.insertLogs", (db, ...rows: WebhookLogRow[]) =>
  db.insertInto("webhook_logs").values(rows),
);
const insertLog = compiled("webhooks.insertLog", (db, row: WebhookLogRow) =>
  db.insertInto("webhook_logs").values(row),
);

/** A 410's writes (rare: built per call). */
const disableStep = (db: Executor, id: string, now: number): Step => ({
  query: db.updateTable("webhooks").set({ enabled: 0, updated_at: now }).where("id", "=", id).compile(),
});
const failPendingStep = (
  db: Executor,
  webhookId: string,
  now: number,
  except: readonly string[] = [],
): Step => ({
  query: db
    .updateTable("webhook_deliveries")
    .set({ status: "failed", lease_until: null, updated_at: now })
    .where("webhook_id", "=", webhookId)
    .where("status", "=", "pending")
    .$if(except.length > 0, (q) => q.where("id", "not in", except))
    .compile(),
});

/** Webhooks, their deliveries and the log of attempts (docs/events.md#webhooks). */
export function webhooksRepo(db: Executor) {
  return {
    async insertWebhook(row: WebhookRow): Promise<void> {
      await db.insertInto("webhooks").values(row).execute();
    },
    findWebhook(poolId: string, id: string): Promise<WebhookRow | undefined> {
      return db
        .selectFrom("webhooks")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    listWebhooks(poolId: string, offset: number, limit: number): Promise<WebhookRow[]> {
      return db
        .selectFrom("webhooks")
        .selectAll()
        .where("pool_id", "=", poolId)
        .orderBy("created_at")
        .orderBy("id")
        .offset(offset)
        .limit(limit)
        .execute();
    },
    async countWebhooks(poolId: string): Promise<number> {
      const r = await db
        .selectFrom("webhooks")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("pool_id", "=", poolId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** The enabled webhooks of these pools: the dispatcher matches events against them. */
    listEnabledWebhooksOfPools(poolIds: string[]): Promise<WebhookRow[]> {
      if (poolIds.length === 0) return Promise.resolve([]);
      return enabledOfPools(db, poolIds).then((r) => r.rows);
    },
    async updateWebhook(poolId: string, id: string, patch: WebhookPatch, now: number): Promise<number> {
      const r = await db
        .updateTable("webhooks")
        .set({ ...patch, updated_at: now })
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async disableWebhook(id: string, now: number): Promise<void> {
      await db.executeQuery(disableStep(db, id, now).query);
    },
    /** disableWebhook as a step of an all-or-nothing batch. */
    disableWebhookStep: (id: string, now: number): Step => disableStep(db, id, now),
    async deleteWebhooks(poolId: string, ids: string[]): Promise<number> {
      if (ids.length === 0) return 0;
      const r = await db
        .deleteFrom("webhooks")
        .where("pool_id", "=", poolId)
        .where("id", "in", ids)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async insertDeliveries(rows: NewDeliveryRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.insertInto("webhook_deliveries").values(rows).execute();
    },
    /**
     * Leases up to `limit` due deliveries, oldest first, skipping the webhooks this node is busy
     * with, and reads their webhooks and events: one statement on PostgreSQL (`FOR UPDATE SKIP
     * LOCKED` lets several nodes claim at once without taking the same row); on SQLite, one writer
     * in process, the claim and two reads. A lapsed lease (its node died) is due again.
     */
    async claimDueDeliveriesWithRows(
      now: number,
      leaseUntil: number,
      limit: number,
      busyWebhooks: string[],
    ): Promise<ClaimedDeliveries> {
      const hooks = new Map<string, WebhookRow>();
      const events = new Map<string, EventRow>();
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        const rows = (await claimDueWithRows(db, leaseUntil, now, now, busyWebhooks, limit)).rows;
        const deliveries: WebhookDeliveryRow[] = [];
        for (const { event, hook, ...d } of rows) {
          deliveries.push(d as WebhookDeliveryRow);
          if (event) events.set(event.id, event);
          if (hook) hooks.set(hook.id, hook);
        }
        return { deliveries: deliveries.sort((a, b) => a.seq - b.seq), hooks, events };
      }
      const deliveries = (await claimDue(db, leaseUntil, now, now, busyWebhooks, limit)).rows;
      if (deliveries.length === 0) return { deliveries, hooks, events };
      const hookIds = [...new Set(deliveries.map((d) => d.webhook_id))];
      for (const h of (await webhooksByIds(db, hookIds)).rows) hooks.set(h.id, h);
      const eventIds = [...new Set(deliveries.map((d) => d.event_id))];
      for (const e of (await eventsByIds(db, eventIds)).rows) events.set(e.id, e);
      return { deliveries: deliveries.sort((a, b) => a.seq - b.seq), hooks, events };
    },
    /** The outcomes of several deliveries as one statement (a step of an all-or-nothing batch). */
    finishDeliveriesStep(outcomes: readonly DeliveryOutcome[], now: number): Step {
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      const parameters: unknown[] = [now];
      for (const o of outcomes) parameters.push(o.id, o.status, o.attempts, o.next_attempt_at);
      return { query: CompiledQuery.raw(finishManyText(postgres, outcomes.length), parameters) };
    },
    /** Several attempts' log rows in one insert (a step of an all-or-nothing batch). */
    insertLogsStep: (rows: readonly WebhookLogRow[]): Step => ({
      query: insertLogs.compile(db, ...rows),
      expectRows: rows.length,
    }),
    /** Hands claimed deliveries back unattempted (a lane stopped early to keep the order). */
    async releaseDeliveries(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await db.updateTable("webhook_deliveries").set({ lease_until: null }).where("id", "in", ids).execute();
    },
    /** Deliveries still waiting behind a webhook that a 410 disabled are failed with it. */
    async failPendingDeliveries(webhookId: string, now: number): Promise<void> {
      await db.executeQuery(failPendingStep(db, webhookId, now).query);
    },
    /** failPendingDeliveries as a step of an all-or-nothing batch. */
    failPendingDeliveriesStep: (webhookId: string, now: number, except: readonly string[] = []): Step =>
      failPendingStep(db, webhookId, now, except),
    listDeliveriesOfWebhook(webhookId: string): Promise<WebhookDeliveryRow[]> {
      return db
        .selectFrom("webhook_deliveries")
        .selectAll()
        .where("webhook_id", "=", webhookId)
        .orderBy("seq")
        .execute();
    },

    async insertLog(row: WebhookLogRow): Promise<void> {
      await insertLog(db, row);
    },
    /**
     * A delivery's log row stores "" for a body that is its event's own text (services/events/
     * delivery.ts `logRow`): the body is read back from the event, through the delivery.
     */
    listLogs(webhookId: string, offset: number, limit: number): Promise<WebhookLogRow[]> {
      return db
        .selectFrom("webhook_logs as l")
        .leftJoin("webhook_deliveries as d", "d.id", "l.delivery_id")
        .leftJoin("events as e", "e.id", "d.event_id")
        .select([
          "l.id",
          "l.webhook_id",
          "l.delivery_id",
          "l.event_name",
          "l.attempt",
          sql<string>`case when l.request_body = '' then coalesce(e.data, '') else l.request_body end`.as(
            "request_body",
          ),
          "l.request_headers",
          "l.response_status",
          "l.response_headers",
          "l.response_body",
          "l.success",
          "l.error",
          "l.duration_ms",
          "l.created_at",
        ])
        .where("l.webhook_id", "=", webhookId)
        .orderBy("l.created_at")
        .orderBy("l.attempt")
        .offset(offset)
        .limit(limit)
        .execute();
    },
    async countLogs(webhookId: string): Promise<number> {
      const r = await db
        .selectFrom("webhook_logs")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("webhook_id", "=", webhookId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
