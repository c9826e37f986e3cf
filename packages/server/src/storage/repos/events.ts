import type { Insertable, Selectable } from "kysely";
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

/** The outbox (docs/events.md#the-outbox). */
export function eventsRepo(db: Executor) {
  return {
    /** Pass the change's transaction: the event commits, or rolls back, with it. */
    async insertEvent(row: NewEventRow): Promise<void> {
      await insertEvent(db, row);
    },
    /**
     * The oldest events no dispatcher has handled yet, locked for this transaction. On PostgreSQL
     * another node's dispatcher skips the locked rows and takes the next ones (SKIP LOCKED); SQLite
     * has one writer, so a plain read inside the write transaction is already exclusive.
     */
    /** Whether any event waits for its fan-out: one cheap read, outside any transaction. */
    async hasUndispatched(): Promise<boolean> {
      return (await anyUndispatched(db, 0, 1)).rows.length > 0;
    },
    claimUndispatched(limit: number, skipLocked: boolean): Promise<EventRow[]> {
      return db
        .selectFrom("events")
        .selectAll()
        .where("dispatched", "=", 0)
        .orderBy("seq")
        .limit(limit)
        .$if(skipLocked, (q) => q.forUpdate().skipLocked())
        .execute();
    },
    /** insertEvent as a step of an all-or-nothing batch (the change's own statements beside it). */
    insertEventStep: (row: NewEventRow): Step => ({
      query: insertEvent.compile(db, row),
      expectRows: 1,
    }),
    async insertEvents(rows: NewEventRow[]): Promise<void> {
      if (rows.length > 0) await db.insertInto("events").values(rows).execute();
    },
    async markDispatched(seqs: number[]): Promise<void> {
      if (seqs.length === 0) return;
      await db.updateTable("events").set({ dispatched: 1 }).where("seq", "in", seqs).execute();
    },
    findEventsByIds(ids: string[]): Promise<EventRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return db.selectFrom("events").selectAll().where("id", "in", ids).execute();
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
