import { type Kysely, PostgresAdapter } from "kysely";

/**
 * The event outbox, webhooks, their deliveries and the log of every attempt (docs/events.md).
 * Events and deliveries carry a `seq` so that they are handed out in the order they were written.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const seq = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());
  const seqType = pg ? "bigserial" : "integer";

  // No foreign key to users: the event of a deleted account outlives it.
  await db.schema
    .createTable("events")
    .addColumn("seq", seqType as "integer", seq)
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("actor_type", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("request_id", "text")
    .addColumn("data", "text", (c) => c.notNull())
    // 0 until the dispatcher has written this event's deliveries.
    .addColumn("dispatched", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("events_undispatched").on("events").columns(["dispatched", "seq"]).execute();
  await db.schema
    .createIndex("events_pool_created")
    .on("events")
    .columns(["pool_id", "created_at"])
    .execute();

  await db.schema
    .createTable("webhooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("pool_id", "text", (c) => c.notNull().references("user_pools.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("events", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull())
    // Sealed with the server's secret box (docs/security.md).
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("retry_config", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("webhooks_pool").on("webhooks").columns(["pool_id", "created_at"]).execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("seq", seqType as "integer", seq)
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.id").onDelete("cascade"))
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    // A node holds a claimed delivery until then; a node that dies lets it lapse (docs/events.md).
    .addColumn("lease_until", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_due")
    .on("webhook_deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_event")
    .on("webhook_deliveries")
    .columns(["webhook_id", "event_id"])
    .unique()
    .execute();

  await db.schema
    .createTable("webhook_logs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.id").onDelete("cascade"))
    .addColumn("delivery_id", "text")
    .addColumn("event_name", "text", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("request_body", "text", (c) => c.notNull())
    .addColumn("request_headers", "text", (c) => c.notNull())
    .addColumn("response_status", "integer")
    .addColumn("response_headers", "text")
    .addColumn("response_body", "text")
    .addColumn("success", "integer", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("webhook_logs_webhook")
    .on("webhook_logs")
    .columns(["webhook_id", "created_at"])
    .execute();
}
