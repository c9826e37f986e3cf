import type SQLite from "better-sqlite3";

/** Statements kept per connection; Kysely's SQL text repeats, so a few hundred cover every query. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 with a prepared-statement cache for Kysely's SqliteDialect: Kysely calls
 * `prepare(sql)` on every query, and preparing costs more than running a primary-key read. What it
 * buys shows on the write paths, which run many distinct statements per request: the bench's
 * `sqlite:change-phone-pair` scenario (server CPU per request); see docs/performance.md, "Queries
 * compiled once, statements prepared once". It goes through the dialect's own `database` option,
 * not around Kysely. A statement still iterating (a streamed query) is busy, so a concurrent use
 * of the same SQL gets a fresh one.
 */
export function cachingDatabase(sqlite: SQLite.Database): {
  close(): void;
  prepare(sql: string): SQLite.Statement;
} {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SQLite.Statement {
      const hit = cache.get(sql);
      if (hit && !hit.busy) return hit;
      const stmt = sqlite.prepare(sql);
      if (!hit) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
