import type { Compilable, CompiledQuery } from "kysely";
import type { Executor } from "./executor.js";

/**
 * A hot point read (every authenticated request does a few): Kysely builds and compiles the
 * query on every call, which costs more than SQLite answering it. This compiles it once and
 * then runs the same SQL with new parameters. It checks, on the first call, that the compiled
 * parameters are exactly the arguments in order; if not, it simply compiles every time.
 */
export function hotRead<A extends unknown[], R>(
  db: Executor,
  build: (...args: A) => Compilable<R>,
): (...args: A) => Promise<R | undefined> {
  let compiled: CompiledQuery<R> | undefined;
  let precompilable = true;
  return async (...args) => {
    if (compiled) {
      const run = { ...compiled, parameters: args };
      return (await db.executeQuery<R>(run)).rows[0];
    }
    const fresh = build(...args).compile();
    if (precompilable) {
      const same =
        fresh.parameters.length === args.length && fresh.parameters.every((p, i) => Object.is(p, args[i]));
      if (same) compiled = fresh;
      else precompilable = false;
    }
    return (await db.executeQuery<R>(fresh)).rows[0];
  };
}
