import type { Compilable, CompiledQuery, QueryResult } from "kysely";
import type { Executor } from "./executor.js";

/**
 * A query on a hot path, compiled once per dialect and then run with new parameters. Kysely
 * builds and compiles a query on every call, which costs more than SQLite answering it.
 *
 * `build` must be straight-line: the SQL may depend on the *shape* of the arguments (array
 * lengths, object keys, which is part of the cache key) but never on their values. As a guard,
 * the first compile of each shape is kept only if its parameters are exactly the arguments in
 * order (arrays spread, objects by their values); otherwise that shape is compiled every time.
 */
export function compiled<A extends unknown[], R>(
  name: string,
  build: (db: Executor, ...args: A) => Compilable<R>,
): CompiledRunner<A, R> {
  // Keyed by the Kysely instance's adapter (its transactions share it): the SQL is per dialect.
  const cache = new WeakMap<object, Map<string, CompiledQuery<R> | null>>();
  const compile = (db: Executor, ...args: A): CompiledQuery<R> => {
    const adapter = db.getExecutor().adapter;
    let byShape = cache.get(adapter);
    if (!byShape) {
      byShape = new Map();
      cache.set(adapter, byShape);
    }
    const shape = shapeOf(args);
    const hit = byShape.get(shape);
    if (hit) return { ...hit, parameters: flatten(args) };
    const fresh = build(db, ...args).compile();
    if (hit === undefined) {
      const reusable = sameValues(fresh.parameters, flatten(args));
      byShape.set(shape, reusable ? fresh : null);
      if (!reusable) recompiled.add(name);
      else if (!hotStatements.has(fresh.sql)) hotStatements.set(fresh.sql, `gh_${hotStatements.size}`);
    }
    return fresh;
  };
  const run = (db: Executor, ...args: A) => db.executeQuery<R>(compile(db, ...args));
  return Object.assign(run, { compile });
}

/** A hot query: run it, or `compile` it for a batch (repos/all-or-nothing.ts). */
export type CompiledRunner<A extends unknown[], R> = ((
  db: Executor,
  ...args: A
) => Promise<QueryResult<R>>) & {
  compile(db: Executor, ...args: A): CompiledQuery<R>;
};

const recompiled = new Set<string>();
/** SQL text of every reusable hot query → a statement name (PostgreSQL prepares these by name). */
const hotStatements = new Map<string, string>();
export const hotStatementName = (sql: string): string | undefined => hotStatements.get(sql);
/** A statement built from compiled parts (postgres/one-statement.ts), prepared like a hot query. */
export function markHot(sql: string): void {
  if (!hotStatements.has(sql)) hotStatements.set(sql, `gh_${hotStatements.size}`);
}

/**
 * Statements left unprepared, so PostgreSQL plans them at every run: a prepared statement keeps
 * the plan it made first, and a plan made while a table was small (a hash join over a sequential
 * scan) goes on scanning it whole as it grows (docs/performance.md, "The event path: plans for
 * the table as it is"). A batch with such a part is not prepared either (postgres/one-statement.ts).
 */
const unprepared = new Set<string>();
export function markUnprepared(sql: string): void {
  unprepared.add(sql);
}
export const isUnprepared = (sql: string): boolean => unprepared.has(sql);

/** Names of hot queries that turned out to need compiling on every call (a test keeps it empty). */
export const recompiledQueries = (): string[] => [...recompiled];

/** The first row, if any. */
export const firstRow = <R>(r: QueryResult<R>): R | undefined => r.rows[0];
/** Rows an INSERT, UPDATE or DELETE touched. */
export const affectedRows = (r: QueryResult<unknown>): number => Number(r.numAffectedRows ?? 0n);

function shapeOf(args: readonly unknown[]): string {
  let shape = "";
  for (const a of args) {
    if (Array.isArray(a)) shape += `[${a.length}]`;
    else if (a !== null && typeof a === "object") shape += `{${Object.keys(a).join(",")}}`;
    else shape += ".";
  }
  return shape;
}

function flatten(args: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const a of args) {
    if (Array.isArray(a)) out.push(...a);
    else if (a !== null && typeof a === "object") out.push(...Object.values(a));
    else out.push(a);
  }
  return out;
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
