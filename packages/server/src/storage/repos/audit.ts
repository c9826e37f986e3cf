import type { Selectable } from "kysely";
import type { AuditEventTable } from "../schema.js";
import type { Step } from "./all-or-nothing.js";
import { compiled } from "./compiled.js";
import type { Executor } from "./executor.js";

export type AuditEventRow = Selectable<AuditEventTable>;

const insertEvent = compiled("audit.insert", (db, row: AuditEventRow) =>
  db.insertInto("audit_events").values(row),
);

export function auditRepo(db: Executor) {
  return {
    async insertAuditEvent(row: AuditEventRow): Promise<void> {
      await insertEvent(db, row);
    },
    insertAuditEventStep(row: AuditEventRow): Step {
      return { query: insertEvent.compile(db, row), expectRows: 1 };
    },
    listAuditEventsByUser(poolId: string, userId: string): Promise<AuditEventRow[]> {
      return db
        .selectFrom("audit_events")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
    },
    /** Drops the network traces (IP, user agent) of a user's events: used when the account is deleted. */
    async anonymiseAuditEventsOfUser(poolId: string, userId: string): Promise<void> {
      await db
        .updateTable("audit_events")
        .set({ ip: null, user_agent: null })
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .execute();
    },
  };
}
