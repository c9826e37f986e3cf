import type { Executor } from "../repos/executor.js";

/** Holds a few thousand ~1 KB rows at most: the users active at the moment, not the pool. */
const MAX_ROWS = 5_000;

/** SQL that may change a user row: the table itself, or its pool (deleting a pool cascades). */
const CHANGES_USERS = /\busers\b|\buser_pools\b/i;

/** Whether a statement that is not read-only may change user rows (decided once per statement). */
export const mayChangeUsers = (sql: string): boolean => CHANGES_USERS.test(sql);

interface Row {
  readonly id: string;
  readonly pool_id: string;
}

/**
 * SQLite only: user rows by id, kept until anything could have changed them, so an authenticated
 * read (every /api/v3 self-service call reads its user) does not read the ~50-column row again.
 * SQLite answers on the event loop, and that read was an eighth of a get-profile's CPU.
 *
 * No row older than a write of this process is served, and no time limit is tuned:
 * - every statement on our connection that is not read-only and names `users` or `user_pools`
 *   (Kysely's, the hot queries', migrations') empties the cache (`changed`) before it runs — a
 *   rolled-back write only costs the reads after it;
 * - a commit by any other connection (another process on the file: the CLI, a second server, a
 *   test) moves SQLite's `PRAGMA data_version`, compared at the first lookup of each turn of the
 *   event loop. That pragma opens a read transaction (~3 µs, file-lock system calls): once per
 *   turn, not per request. So another process's commit is seen from the next turn on — what a
 *   request already being answered in this turn reads may predate it, as if it had been answered
 *   a moment earlier (the caches of sessions, applications and pools allow 900 ms);
 * - a row read while either happened is not kept (it may predate the change);
 * - reads inside a transaction bypass the cache (they may see the transaction's own writes).
 * Each caller gets its own copy of the row. PostgreSQL is shared by nodes that cannot see each
 * other's writes, so it batches its reads instead (users.ts) and caches nothing.
 */
export class SqliteUserRows<R extends Row> {
  private readonly rows = new Map<string, R>();
  private generation = 0;
  private seenDataVersion: number;
  private checkedThisTurn = false;
  private readonly nextTurn = () => {
    this.checkedThisTurn = false;
  };

  constructor(private readonly dataVersion: () => number) {
    this.seenDataVersion = dataVersion();
  }

  /** A statement that may change user rows is about to run on our connection. */
  changed(): void {
    this.generation++;
    this.rows.clear();
  }

  /** Empties the cache if another connection committed since the last look (once per turn). */
  private othersCommitted(): void {
    if (this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    setImmediate(this.nextTurn);
    const version = this.dataVersion();
    if (version !== this.seenDataVersion) {
      this.seenDataVersion = version;
      this.changed();
    }
  }

  async get(poolId: string, id: string, load: () => Promise<R | undefined>): Promise<R | undefined> {
    this.othersCommitted();
    const hit = this.rows.get(id);
    if (hit) return hit.pool_id === poolId ? { ...hit } : undefined;
    const generation = this.generation;
    const row = await load();
    if (row && this.generation === generation) {
      if (this.rows.size >= MAX_ROWS) this.rows.delete(this.rows.keys().next().value as string);
      this.rows.set(id, { ...row });
    }
    return row;
  }
}

const byAdapter = new WeakMap<object, SqliteUserRows<Row>>();

/** db.ts registers the cache of an SQLite database; its transactions share the adapter. */
export function registerUserRows(kysely: Executor, rows: SqliteUserRows<Row>): void {
  byAdapter.set(kysely.getExecutor().adapter, rows);
}

/** The cache to read `db`'s users through: none on PostgreSQL and inside transactions. */
export function userRowsFor<R extends Row>(db: Executor): SqliteUserRows<R> | undefined {
  if (db.isTransaction) return undefined;
  return byAdapter.get(db.getExecutor().adapter) as SqliteUserRows<R> | undefined;
}
