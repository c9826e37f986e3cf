import { type Insertable, PostgresAdapter, type Selectable, sql } from "kysely";
import type { EventTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled } from "./compiled.js";
import type { Executor } from "./executor.js";

export type EventRow = Selectable<EventTable>;
export type NewEventRow = Omit<Insertable<EventTable>, "seq">;

const insertEvent = compiled("events.insert", (db, row: NewEventRow) => db.insertInto("events").values(row));
// The worker's look, nudged after every event (services/events/fan-out.ts).
const anyUndispatched = compiled("events.anyUndispatched", (db, dispatched: 0, limit: 1) =>
  db.selectFrom("events").select("seq").where("dispatched", "=", dispatched).limit(limit),
);
const eventsByIds = compiled("events.byIds", (db, ids: readonly string[]) =>
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
    /** insertEvent as a step of an all-or-nothing batch (the change's own statements beside it). */
    insertEventStep: (row: NewEventRow): Step => ({
      query: insertEvent.compile(db, row),
      expectRows: 1,
    }),
    async insertEvents(rows: NewEventRow[]): Promise<void> {
      if (rows.length > 0) await db.insertInto("events").values(rows).execute();
    },
    findEventsByIds(ids: string[]): Promise<EventRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return eventsByIds(db, ids).then((r) => r.rows);
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
