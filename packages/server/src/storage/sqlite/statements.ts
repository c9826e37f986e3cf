import type SQLite from "better-sqlite3";

/** Statements kept per connection; Kysely's SQL text repeats, so a few hundred cover every query. */
const STATEMENT_CACHE_SIZE = 500;

/** What Kysely's SQLite driver uses of a statement. */
export interface KyselyStatement {
  readonly reader: boolean;
  readonly busy: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): SQLite.RunResult;
  iterate(parameters: readonly unknown[]): IterableIterator<unknown>;
}

/**
 * A row as an object literal of fixed keys, built from the raw column array. better-sqlite3 builds
 * each row object natively, one property at a time; for a ~50-column user row that took 14 µs on a
 * quiet core and ~30 µs in a busy server, against ~10 µs for the raw array plus this literal.
 * Column names come from SQLite's description of our own SQL; JSON.stringify makes each a literal.
 * Duplicate names keep the last column, as better-sqlite3 does.
 */
function rowBuilder(names: readonly string[]): (raw: unknown[]) => unknown {
  const fields = names.map((name, i) => `${JSON.stringify(name)}: r[${i}]`).join(", ");
  return new Function("r", `return { ${fields} };`) as (raw: unknown[]) => unknown;
}

/**
 * A reading statement (a `select`, or a write with `returning`) that fetches raw arrays and builds
 * each row with `rowBuilder`.
 */
function readerStatement(sqlite: SQLite.Database, sql: string, stmt: SQLite.Statement): KyselyStatement {
  stmt.raw(true);
  let width = -1;
  let build: (raw: unknown[]) => unknown = () => undefined;
  let streaming: SQLite.Statement | undefined;
  return {
    reader: true,
    // `all` never leaves the statement busy; only a stream in progress does.
    get busy() {
      return streaming?.busy ?? false;
    },
    all(parameters) {
      const rows = stmt.all(parameters) as unknown[][];
      for (let i = 0; i < rows.length; i++) {
        const raw = rows[i];
        // A schema change (another process migrating) recompiles a `select *` with other
        // columns: described again when their number changes. SQLite upgrades stop the server
        // first (README, "Upgrading"), so a change keeping the number is not looked for each call.
        if (raw.length !== width) {
          build = rowBuilder(stmt.columns().map((c) => c.name));
          width = raw.length;
        }
        rows[i] = build(raw) as unknown[];
      }
      return rows;
    },
    run(parameters) {
      return stmt.run(parameters);
    },
    iterate(parameters) {
      streaming ??= sqlite.prepare(sql);
      return streaming.iterate(parameters);
    },
  };
}

/**
 * better-sqlite3 with a prepared-statement cache for Kysely: Kysely calls `prepare(sql)` on every
 * query, and preparing costs more than running a primary-key read. A statement still iterating
 * (a streamed query) is busy, so a concurrent use of the same SQL gets a fresh one.
 */
export function cachingDatabase(sqlite: SQLite.Database): {
  close(): void;
  prepare(sql: string): KyselyStatement;
} {
  const cache = new Map<string, KyselyStatement>();
  const prepare = (sql: string): KyselyStatement => {
    const stmt = sqlite.prepare(sql);
    return stmt.reader ? readerStatement(sqlite, sql, stmt) : stmt;
  };
  return {
    close: () => sqlite.close(),
    prepare(sql: string): KyselyStatement {
      const hit = cache.get(sql);
      if (hit && !hit.busy) return hit;
      const stmt = prepare(sql);
      if (!hit) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
