import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { hotStatementName } from "./repos/compiled.js";
import type { Database } from "./schema.js";
import { startCheckpointer } from "./sqlite/checkpointer.js";
import { cachingDatabase } from "./sqlite/statements.js";
import { registerUserRows, SqliteUserRows } from "./sqlite/user-rows.js";

export type Dialect = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** The raw better-sqlite3 handle, for prepared hot-path statements (SQLite only). */
  sqlite?: SQLite.Database;
  /**
   * PostgreSQL: statements sent to the server so far, each one a round trip — `begin` and
   * `commit` included (docs/performance.md, "Round trips"). Undefined on SQLite, which answers
   * in-process.
   */
  roundTrips?: RoundTrips;
  close(): Promise<void>;
}

/** A running count of the statements this process has sent to PostgreSQL. */
export interface RoundTrips {
  readonly count: number;
}

export interface OpenDbOptions {
  /**
   * SQLite `synchronous` in WAL mode. `normal`: a commit is durable once the WAL is checkpointed
   * (a process crash loses nothing; a power cut can lose the last commits, never corrupts).
   * `full`: every commit waits for an fsync, ~1.5 ms with the event loop blocked (better-sqlite3
   * is synchronous) — it caps every write path at a few hundred commits a second.
   */
  sqliteSynchronous?: "normal" | "full";
  /** PostgreSQL: hot queries as named prepared statements (default true). */
  pgPreparedStatements?: boolean;
  /** PostgreSQL `statement_timeout` of every connection; 0 or absent for none. */
  pgStatementTimeoutMs?: number;
}

/**
 * A connection of ours that sits inside a transaction this long is ended by PostgreSQL, and its
 * locks with it. Our transactions never wait between statements (no hashing or calls inside
 * them); one that does belongs to a node that stopped mid-request (paused, partitioned), whose
 * row locks would otherwise hold every other node's requests on those rows.
 */
const PG_IDLE_IN_TRANSACTION_MS = 60_000;

/** Another node's change of a user row is seen within this; the session cache's rule. */
const PG_USER_ROW_TTL_MS = 900;

const require = createRequire(import.meta.url);
/** The pg driver, loaded on first use: the embedded SQLite default never pays for it (memory). */
function loadPg(): typeof import("pg") {
  const pg = require("pg") as typeof import("pg");
  // int8 (COUNT, bigint columns) arrives as a string by default; our bigints are epoch ms, safe as numbers.
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  return pg;
}

/**
 * Every statement goes through the client's `query`, Kysely's `begin` and `commit` too, so the
 * wrapper counts each one (one round trip to the server) for the metrics and the bench.
 *
 * The hot queries (repos/compiled.ts) run as named prepared statements on PostgreSQL: each
 * connection parses and plans them once instead of on every call, which saves the database
 * server CPU on the paths every request takes. Kysely sends plain (sql, parameters) calls, so
 * the client's `query` is wrapped; anything else (cursors, other SQL) passes through untouched.
 */
function wrapQuery(client: import("pg").PoolClient, counter: { count: number }, prepare: boolean): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const unpreparable = new Set<string>();
  (client as { query: unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    counter.count += 1;
    const name =
      prepare && typeof text === "string" && callback === undefined ? hotStatementName(text) : undefined;
    if (name === undefined || unpreparable.has(name)) return query(text, values, callback);
    return query({ name, text, values }).catch((err: { code?: string }) => {
      // "cached plan must not change result type": another node migrated the schema under a
      // prepared `select *`. This connection runs that query unprepared from now on.
      if (err?.code !== "0A000") throw err;
      unpreparable.add(name);
      counter.count += 1;
      return query(text, values);
    });
  };
}

export function openDb(databaseUrl: string, options: OpenDbOptions = {}): Db {
  if (databaseUrl.startsWith("postgres://") || databaseUrl.startsWith("postgresql://")) {
    const pool = new (loadPg().Pool)({
      connectionString: databaseUrl,
      max: 10,
      // A server that drops packets instead of refusing them must not hold requests forever:
      // no connection (or no free client) within 10 s answers 503.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      // A request must not wait forever on a lock or a runaway query either (503, unavailable.ts).
      ...(options.pgStatementTimeoutMs ? { statement_timeout: options.pgStatementTimeoutMs } : {}),
      idle_in_transaction_session_timeout: PG_IDLE_IN_TRANSACTION_MS,
    });
    // A dropped connection must not crash the process; the next query reports the failure.
    pool.on("error", () => {});
    // The pool listens for errors only on idle clients: a client checked out (inside a
    // transaction, between two statements) whose socket dies emits 'error' with no listener,
    // which kills the process. The statement in flight still fails (503) and pg-pool discards
    // the broken client on release.
    const roundTrips = { count: 0 };
    pool.on("connect", (client) => {
      client.on("error", () => {});
      wrapQuery(client, roundTrips, options.pgPreparedStatements !== false);
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // No data_version to watch: rows are kept 900 ms at most (sqlite/user-rows.ts).
    registerUserRows(kysely, new SqliteUserRows(() => 0, PG_USER_ROW_TTL_MS));
    return { kysely, dialect: "postgres", roundTrips, close: () => kysely.destroy() };
  }
  const file = databaseUrl === ":memory:" ? ":memory:" : databaseUrl.replace(/^sqlite:/, "");
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`synchronous = ${options.sqliteSynchronous === "full" ? "FULL" : "NORMAL"}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // 8 MB of page cache (default 2 MB): with a million users, the pages of one user's index path
  // and row no longer fit beside the other hot tables, and each miss is a read() syscall. More
  // (16 MB) read no faster at a million users and stayed resident under load.
  sqlite.pragma("cache_size = -8192");
  // After a burst, a WAL that was reset is truncated back to this size rather than kept large.
  sqlite.pragma("journal_size_limit = 67108864");
  const checkpointer = file === ":memory:" ? undefined : startCheckpointer(sqlite, file);
  const dataVersion = sqlite.prepare("PRAGMA data_version").pluck();
  const userRows = new SqliteUserRows(() => dataVersion.get() as number);
  const statements = cachingDatabase(sqlite);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  registerUserRows(kysely, userRows);
  return {
    kysely,
    dialect: "sqlite",
    sqlite,
    close: async () => {
      await checkpointer?.stop();
      await kysely.destroy();
    },
  };
}

/**
 * True when a database error is a foreign-key violation (both dialects): a row the write refers to
 * is gone — deleted after the request read it.
 */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return e?.code === "23503" || e?.code === "SQLITE_CONSTRAINT_FOREIGNKEY";
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
