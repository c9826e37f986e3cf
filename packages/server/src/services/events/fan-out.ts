import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Dialect } from "../../storage/db.js";
import type { EventRow } from "../../storage/repos/events.js";
import { repositories } from "../../storage/repos/index.js";
import type { NewDeliveryRow, WebhookRow } from "../../storage/repos/webhooks.js";
import type { Database } from "../../storage/schema.js";

/** Events claimed per look; a full batch means more may be waiting. */
export const FAN_OUT_BATCH = 200;
const BATCH = FAN_OUT_BATCH;

/** Whether a webhook wants this event: its names, or a custom event it names. */
export const subscribes = (hook: WebhookRow, name: string): boolean =>
  (JSON.parse(hook.events) as string[]).includes(name);

/**
 * Turns committed events into deliveries, one per subscribed enabled webhook, and marks them
 * dispatched — in one transaction, so an event is fanned out exactly once (claimed and marked by
 * one statement; the deliveries written after it, or nothing). On PostgreSQL the
 * events are claimed with SKIP LOCKED: nodes fanning out at once take different events.
 * Returns the events handled (oldest first), for the live stream, and how many deliveries they
 * made. On PostgreSQL the claim, the mark and the deliveries are one statement, empty look or not
 * (storage/repos/events.ts `fanOutInOne`). On SQLite an empty outbox costs one read, not a write
 * transaction: most looks, nudged after each event, find it fanned out already
 * (docs/performance.md, "The event worker's looks").
 */
export async function fanOut(deps: {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
}): Promise<{ events: EventRow[]; deliveries: number }> {
  if (deps.dialect === "postgres") return repositories(deps.db).events.fanOutInOne(BATCH, deps.clock.now());
  if (!(await repositories(deps.db).events.hasUndispatched())) return { events: [], deliveries: 0 };
  return deps.db.transaction().execute(async (trx) => {
    const tx = repositories(trx);
    const events = await tx.events.claimUndispatched(BATCH);
    if (events.length === 0) return { events: [], deliveries: 0 };
    const hooks = await tx.webhooks.listEnabledWebhooksOfPools([...new Set(events.map((e) => e.pool_id))]);
    const now = deps.clock.now();
    const rows: NewDeliveryRow[] = [];
    for (const e of events) {
      for (const hook of hooks) {
        if (hook.pool_id !== e.pool_id || !subscribes(hook, e.name)) continue;
        rows.push({
          id: newId(),
          webhook_id: hook.id,
          event_id: e.id,
          status: "pending",
          attempts: 0,
          next_attempt_at: now,
          lease_until: null,
          created_at: now,
          updated_at: now,
        });
      }
    }
    for (let i = 0; i < rows.length; i += BATCH) await tx.webhooks.insertDeliveries(rows.slice(i, i + BATCH));
    return { events, deliveries: rows.length };
  });
}
