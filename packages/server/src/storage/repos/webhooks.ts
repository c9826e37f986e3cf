import { PostgresAdapter, type Selectable, sql } from "kysely";
import type { WebhookDeliveryTable, WebhookLogTable, WebhookTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled } from "./compiled.js";
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
const claimDue = compiled(
  "webhooks.claimDue",
  (db, leaseUntil: number, now: number, stillNow: number, busy: readonly string[], limit: number) => {
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
  },
);
const finish = compiled(
  "webhooks.finishDelivery",
  (db, status: string, attempts: number, nextAttemptAt: number, now: number, id: string) =>
    db
      .updateTable("webhook_deliveries")
      .set({
        status,
        attempts,
        next_attempt_at: nextAttemptAt,
        lease_until: sql.lit(null),
        updated_at: now,
      })
      .where("id", "=", id),
);
const insertLog = compiled("webhooks.insertLog", (db, row: WebhookLogRow) =>
  db.insertInto("webhook_logs").values(row),
);

/** A 410's writes (rare: built per call). */
const disableStep = (db: Executor, id: string, now: number): Step => ({
  query: db.updateTable("webhooks").set({ enabled: 0, updated_at: now }).where("id", "=", id).compile(),
});
const failPendingStep = (db: Executor, webhookId: string, now: number): Step => ({
  query: db
    .updateTable("webhook_deliveries")
    .set({ status: "failed", lease_until: null, updated_at: now })
    .where("webhook_id", "=", webhookId)
    .where("status", "=", "pending")
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
    findWebhooksByIds(ids: string[]): Promise<WebhookRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return webhooksByIds(db, ids).then((r) => r.rows);
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
     * with. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several nodes claim at once without taking
     * the same row; SQLite has one writer. A lapsed lease (its node died) is due again.
     */
    claimDueDeliveries(
      now: number,
      leaseUntil: number,
      limit: number,
      busyWebhooks: string[],
    ): Promise<WebhookDeliveryRow[]> {
      return claimDue(db, leaseUntil, now, now, busyWebhooks, limit).then((r) => r.rows);
    },
    async finishDelivery(
      id: string,
      set: { status: string; attempts: number; next_attempt_at: number },
      now: number,
    ): Promise<void> {
      await finish(db, set.status, set.attempts, set.next_attempt_at, now, id);
    },
    /** finishDelivery as a step of an all-or-nothing batch. */
    finishDeliveryStep(
      id: string,
      set: { status: string; attempts: number; next_attempt_at: number },
      now: number,
    ): Step {
      return { query: finish.compile(db, set.status, set.attempts, set.next_attempt_at, now, id) };
    },
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
    failPendingDeliveriesStep: (webhookId: string, now: number): Step => failPendingStep(db, webhookId, now),
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
    /** insertLog as a step of an all-or-nothing batch. */
    insertLogStep: (row: WebhookLogRow): Step => ({ query: insertLog.compile(db, row), expectRows: 1 }),
    listLogs(webhookId: string, offset: number, limit: number): Promise<WebhookLogRow[]> {
      return db
        .selectFrom("webhook_logs")
        .selectAll()
        .where("webhook_id", "=", webhookId)
        .orderBy("created_at")
        .orderBy("attempt")
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
