import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** The raw better-sqlite3 handle, for prepared hot-path statements (SQLite only). */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

// int8 (COUNT, bigint columns) arrives as a string by default; our bigints are epoch ms, safe as numbers.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export function openDb(databaseUrl: string): Db {
  if (databaseUrl.startsWith("postgres://") || databaseUrl.startsWith("postgresql://")) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
    // A dropped connection must not crash the process; the next query reports the failure.
    pool.on("error", () => {});
    // The pool listens for errors only on idle clients: a client checked out (inside a
    // transaction, between two statements) whose socket dies emits 'error' with no listener,
    // which kills the process. The statement in flight still fails (503) and pg-pool discards
    // the broken client on release.
    pool.on("connect", (client) => client.on("error", () => {}));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: "postgres", close: () => kysely.destroy() };
  }
  const file = databaseUrl === ":memory:" ? ":memory:" : databaseUrl.replace(/^sqlite:/, "");
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  // FULL: an acknowledged write survives a power cut, not only a process crash.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, dialect: "sqlite", sqlite, close: () => kysely.destroy() };
}

/** True when a database error is a unique-constraint violation (both dialects). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}

/** Which unique index a violation hit (constraint name on PostgreSQL, column list on SQLite). */
export function violatedConstraint(err: unknown): string {
  const e = err as { constraint?: string; message?: string };
  return e.constraint ?? e.message ?? "";
}
