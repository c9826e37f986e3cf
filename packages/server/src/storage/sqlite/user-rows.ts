import type SQLite from "better-sqlite3";
import type { Executor } from "../repos/executor.js";

/** Holds a few thousand ~1 KB rows at most: the users active at the moment, not the pool. */
const MAX_ROWS = 5_000;

interface Row {
  readonly id: string;
  readonly pool_id: string;
}

/**
 * SQLite only: user rows by id, kept until anything could have changed them, so an authenticated
 * read (every /api/v3 self-service call reads its user) does not read the ~50-column row again.
 * SQLite answers on the event loop, and that read was an eighth of a get-profile's CPU.
 *
 * Staleness rule: a row is served only until a write of the users table starts on our connection
 * (every writer runs inside `writingUsers`) or another connection commits (`PRAGMA data_version`),
 * so no read that starts after a write has returned sees an older row.
 * - Writers announce themselves: every repository function that writes `users`, or deletes a pool
 *   (the delete cascades to its users), wraps the statement in `writingUsers`, which empties the
 *   cache before and after it — inside transactions too; a rolled-back write only costs the reads
 *   after it. Under NODE_ENV=test a trigger makes any other change of a user row fail
 *   (`guardUserWrites`), so a writer that forgets cannot pass the tests.
 * - A commit by any other connection (another process on the file: the CLI, a second server, a
 *   test) moves SQLite's `PRAGMA data_version`, compared at the first lookup of each turn of the
 *   event loop. That pragma opens a read transaction (~3 µs, file-lock system calls): once per
 *   turn, not per request. So another process's commit is seen from the next turn on — what a
 *   request already being answered in this turn reads may predate it, as if it had been answered
 *   a moment earlier (the caches of sessions, applications and pools allow 900 ms).
 * - A writer that changes one user's row (the login stamp, a contact change, a profile update:
 *   `UPDATE users … WHERE id = ?`, which cannot touch another row) names it, and only that row is
 *   dropped (`changedOne`): a sign-in or code exchange no longer empties the cache for everyone
 *   (docs/performance.md, "One user's write drops one user's row").
 * - A row read while either happened is not kept (it may predate the change).
 * - Reads inside a transaction bypass the cache (they may see the transaction's own writes).
 * Each caller gets its own copy of the row.
 *
 * PostgreSQL keeps rows the same way, with one difference: it is shared by nodes that cannot see
 * each other's writes and has no `data_version`, so a row is also kept at most `ttlMs` (900 ms):
 * this node never serves its own write stale, another node's is seen within 900 ms — the rule of
 * the session, application and pool caches (docs/performance.md, "User rows cached for 900 ms").
 */
export class SqliteUserRows<R extends Row> {
  private readonly rows = new Map<string, { row: R; until: number }>();
  private generation = 0;
  /** Bumped by every one-row change; `written` holds, while reads are in flight, each id's last bump. */
  private oneRowChanges = 0;
  private readonly written = new Map<string, number>();
  private loading = 0;
  private seenDataVersion: number;
  private checkedThisTurn = false;
  /** Writers of the users table running now (`writingUsers`); the test guard reads it. */
  writers = 0;
  private readonly nextTurn = () => {
    this.checkedThisTurn = false;
  };

  /** `ttlMs`: the longest a row is kept (PostgreSQL); unbounded when absent (SQLite). */
  constructor(
    private readonly dataVersion: () => number,
    private readonly ttlMs?: number,
  ) {
    this.seenDataVersion = dataVersion();
  }

  /** User rows may have changed: forget them all, and do not keep a row being read now. */
  changed(): void {
    this.generation++;
    this.rows.clear();
  }

  /** One user's row may have changed (and no other): forget it, and do not keep it if being read now. */
  changedOne(id: string): void {
    this.rows.delete(id);
    if (this.loading === 0) return;
    this.written.set(id, ++this.oneRowChanges);
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
    const now = this.ttlMs === undefined ? 0 : performance.now();
    if (hit && (this.ttlMs === undefined || hit.until > now))
      return hit.row.pool_id === poolId ? { ...hit.row } : undefined;
    const generation = this.generation;
    const changesBefore = this.oneRowChanges;
    this.loading++;
    let row: R | undefined;
    try {
      row = await load();
    } finally {
      if (--this.loading === 0) this.written.clear();
    }
    const changedMeanwhile = (this.written.get(id) ?? 0) > changesBefore;
    if (row && this.generation === generation && !changedMeanwhile) {
      this.rows.delete(id);
      if (this.rows.size >= MAX_ROWS) this.rows.delete(this.rows.keys().next().value as string);
      this.rows.set(id, { row: { ...row }, until: now + (this.ttlMs ?? 0) });
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

/**
 * Runs a write that may change user rows (the users table, or a pool whose delete cascades to
 * it), on the database or inside a transaction. The cache is emptied before the statement and
 * again once it has run: a read that loaded the old row meanwhile is not kept. `userIds`: the
 * write changes these users' rows only (an UPDATE by id), and only they are dropped.
 */
export async function writingUsers<T>(
  db: Executor,
  write: () => Promise<T>,
  userIds?: readonly string[],
): Promise<T> {
  const rows = byAdapter.get(db.getExecutor().adapter);
  if (!rows) return write();
  const drop = () => {
    if (userIds === undefined) rows.changed();
    else for (const id of userIds) rows.changedOne(id);
  };
  rows.writers++;
  drop();
  try {
    return await write();
  } finally {
    rows.writers--;
    drop();
  }
}

const guarded = new WeakSet<SQLite.Database>();

/**
 * Tests only: a change of a user row on this connection (any statement, a cascade included)
 * while no `writingUsers` runs fails with an error naming the cache, instead of leaving it
 * stale. Temporary triggers belong to this connection alone; the users table must exist.
 */
export function guardUserWrites(kysely: Executor, sqlite: SQLite.Database): void {
  const rows = byAdapter.get(kysely.getExecutor().adapter);
  if (!rows || guarded.has(sqlite)) return;
  guarded.add(sqlite);
  sqlite.function("gh_user_row_written", () => {
    if (rows.writers === 0)
      throw new Error(
        "a user row changed outside writingUsers (storage/sqlite/user-rows.ts): the user-row cache would serve the old row",
      );
    return null;
  });
  for (const event of ["INSERT", "UPDATE", "DELETE"])
    sqlite.exec(
      `CREATE TEMP TRIGGER IF NOT EXISTS gh_guard_users_${event.toLowerCase()} AFTER ${event} ON main.users BEGIN SELECT gh_user_row_written(); END`,
    );
}
