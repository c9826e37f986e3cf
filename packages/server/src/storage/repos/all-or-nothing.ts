import { type CompiledQuery, type Kysely, PostgresAdapter } from "kysely";
import { abortedPart, runAsOneStatement } from "../postgres/one-statement.js";
import type { Database } from "../schema.js";
import { writingUsers } from "../sqlite/user-rows.js";
import type { Executor } from "./executor.js";

/** One statement of an all-or-nothing batch. */
export interface Step {
  query: CompiledQuery;
  /** The rows the statement must touch (a write) or return (a read); else nothing is kept. */
  expectRows?: number;
  /** Hand back the statement's rows (its `RETURNING`, or a read's). */
  rows?: boolean;
  /**
   * The statement changes user rows (the user-row cache must hear of it: sqlite/user-rows.ts):
   * `true` for any rows, or the one user's id whose row alone it changes (an UPDATE by id).
   */
  writesUsers?: boolean | string;
}

/** The users whose rows alone the steps change; undefined when a step may change any. */
function usersWritten(steps: readonly Step[]): string[] | undefined {
  const ids: string[] = [];
  for (const s of steps) {
    if (s.writesUsers === true) return undefined;
    if (typeof s.writesUsers === "string") ids.push(s.writesUsers);
  }
  return ids;
}

/** The step whose expectation failed; nothing of the batch was kept. */
export class StepFailed extends Error {
  constructor(readonly index: number) {
    super(`step ${index} of an all-or-nothing batch did not touch the expected rows`);
  }
}

/**
 * Runs statements all or nothing: every step's writes are kept, or — when one fails its
 * `expectRows`, or violates a constraint — none. On PostgreSQL they go as one statement (one
 * round trip instead of `begin`, one per step and `commit`: postgres/one-statement.ts); steps
 * therefore must not depend on each other's writes. On SQLite, in process, they run one by one in
 * a transaction (or in the caller's). Returns each step's rows (empty unless `rows`).
 */
export async function allOrNothing(db: Executor, steps: readonly Step[]): Promise<unknown[][]> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    try {
      const run = () => runAsOneStatement(db, steps);
      return await (steps.some((s) => s.writesUsers) ? writingUsers(db, run, usersWritten(steps)) : run());
    } catch (err) {
      const index = abortedPart(err);
      if (index !== undefined) throw new StepFailed(index);
      throw err;
    }
  }
  const run = async (trx: Executor) => {
    const out: unknown[][] = [];
    for (const [i, s] of steps.entries()) {
      const exec = () => trx.executeQuery(s.query);
      const r = s.writesUsers ? await writingUsers(trx, exec, usersWritten([s])) : await exec();
      const n =
        /^\s*(select|with)\b/i.test(s.query.sql) || /\breturning\b/i.test(s.query.sql)
          ? r.rows.length
          : Number(r.numAffectedRows ?? 0n);
      if (s.expectRows !== undefined && n !== s.expectRows) throw new StepFailed(i);
      out.push(s.rows ? r.rows : []);
    }
    return out;
  };
  return db.isTransaction ? run(db) : (db as Kysely<Database>).transaction().execute(run);
}
