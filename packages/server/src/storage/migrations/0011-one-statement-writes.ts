import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * PostgreSQL: `gatehouse_abort(step)` raises SQLSTATE GH001 with the step in its detail. A batch
 * of writes sent as one statement calls it when a step did not touch the rows it had to, which
 * undoes the whole statement (storage/postgres/one-statement.ts). SQLite runs such batches in a
 * transaction and needs nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    CREATE OR REPLACE FUNCTION gatehouse_abort(step integer) RETURNS integer
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'a step of a one-statement batch did not touch its rows'
        USING ERRCODE = 'GH001', DETAIL = step::text;
    END
    $$`.execute(db);
}
