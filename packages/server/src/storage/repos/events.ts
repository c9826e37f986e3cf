import { CompiledQuery, type Insertable, PostgresAdapter, type Selectable, sql } from "kysely";
import type { EventTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled, markHot } from "./compiled.js";
import type { Executor } from "./executor.js";

export type EventRow = Selectable<EventTable>;
export type NewEventRow = Omit<Insertable<EventTable>, "seq">;

const insertEvent = compiled("events.insert", (db, row: NewEventRow) => db.insertInto("events").values(row));
// The worker's look, nudged after every event (services/events/fan-out.ts).
const anyUndispatched = compiled("events.anyUndispatched", (db, dispatched: 0, limit: 1) =>
  db.selectFrom("events").select("seq").where("dispatched", "=", dispatched).limit(limit),
);
/** Events by id: what the event worker needs to send the deliveries it claimed (storage/repos/webhooks.ts). */
export const eventsByIds = compiled("events.byIds", (db, ids: readonly string[]) =>
  db.selectFrom("events").selectAll().where("id", "in", ids),
);
const claimAndMark = compiled("events.claimAndMark", (db, limit: number) => {
  const skipLocked = db.getExecutor().adapter instanceof PostgresAdapter;
  return db
    .updateTable("events")
    .set({ dispatched: sql.lit(1) })
    .where("seq", "in", (eb) => {
      const oldest = eb
        .selectFrom("events")
        .select("seq")
        .where("dispatched", "=", sql.lit(0))
        .orderBy("seq")
        .limit(limit);
      return skipLocked ? oldest.forUpdate().skipLocked() : oldest;
    })
    .returningAll();
});

/**
 * PostgreSQL: the whole fan-out as one statement (docs/performance.md, "The event path"): claim
 * and mark the oldest undispatched events (SKIP LOCKED, so nodes take different ones) and write one
 * delivery per enabled webhook of the event's pool subscribed to its name (`events` holds a JSON
 * array of names: services/events/fan-out.ts `subscribes`). One statement is atomic on its own: the
 * events are marked with their deliveries written, or neither. Deliveries are inserted in event
 * order, so their `seq` keeps each webhook's order. Delivery ids are 24 hex characters, like
 * `newId()`'s, drawn from `gen_random_uuid()`.
 */
const FAN_OUT_SQL = `with "claimed" as (
  update "events" set "dispatched" = 1
  where "seq" in (
    select "seq" from "events" where "dispatched" = 0 order by "seq" limit $1 for update skip locked
  )
  returning *
), "made" as (
  insert into "webhook_deliveries"
    ("id", "webhook_id", "event_id", "status", "attempts", "next_attempt_at", "lease_until", "created_at", "updated_at")
  select left(replace(gen_random_uuid()::text, '-', ''), 24), h."id", c."id", 'pending', 0, $2::bigint, null,
    $2::bigint, $2::bigint
  from "claimed" c
  join "webhooks" h on h."pool_id" = c."pool_id" and h."enabled" = 1
    and h."events"::jsonb @> jsonb_build_array(c."name")
  order by c."seq", h."id"
  returning 1
)
select c.*, (select count(*) from "made") as "made" from "claimed" c order by c."seq"`;
markHot(FAN_OUT_SQL);

/** The outbox (docs/events.md#the-outbox). */
export function eventsRepo(db: Executor) {
  return {
    /** Pass the change's transaction: the event commits, or rolls back, with it. */
    async insertEvent(row: NewEventRow): Promise<void> {
      await insertEvent(db, row);
    },
    /** Whether any event waits for its fan-out: one cheap read, outside any transaction. */
    async hasUndispatched(): Promise<boolean> {
      return (await anyUndispatched(db, 0, 1)).rows.length > 0;
    },
    /**
     * Claims the oldest events no dispatcher has handled yet and marks them dispatched, in one
     * statement: the caller's transaction writes their deliveries, and a rollback hands them back.
     * On PostgreSQL the rows are locked and another node's dispatcher skips them (SKIP LOCKED) and
     * takes the next ones; SQLite has one writer, so the write transaction is already exclusive.
     * Oldest first.
     */
    async claimUndispatched(limit: number): Promise<EventRow[]> {
      const rows = (await claimAndMark(db, limit)).rows;
      return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    },
    /**
     * PostgreSQL only: claims and marks up to `limit` events and writes their deliveries, in one
     * statement (FAN_OUT_SQL). Returns the events, oldest first, and how many deliveries they made.
     */
    async fanOutInOne(limit: number, now: number): Promise<{ events: EventRow[]; deliveries: number }> {
      const r = await db.executeQuery<EventRow & { made: number }>(
        CompiledQuery.raw(FAN_OUT_SQL, [limit, now]),
      );
      const deliveries = r.rows.length > 0 ? Number(r.rows[0]!.made) : 0;
      const events = r.rows.map(({ made: _made, ...e }) => e as EventRow);
      return { events, deliveries };
    },
    /** insertEvent as a step of an all-or-nothing batch (the change's own statements beside it). */
    insertEventStep: (row: NewEventRow): Step => ({
      query: insertEvent.compile(db, row),
      expectRows: 1,
    }),
    async insertEvents(rows: NewEventRow[]): Promise<void> {
      if (rows.length > 0) await db.insertInto("events").values(rows).execute();
    },
    listEventsByPool(poolId: string, limit = 1000): Promise<EventRow[]> {
      return db
        .selectFrom("events")
        .selectAll()
        .where("pool_id", "=", poolId)
        .orderBy("seq")
        .limit(limit)
        .execute();
    },
  };
}
