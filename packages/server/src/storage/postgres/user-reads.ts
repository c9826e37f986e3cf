import DataLoader from "dataloader";
import { type Kysely, PostgresAdapter, sql } from "kysely";
import { compiled } from "../repos/compiled.js";
import type { Executor } from "../repos/executor.js";
import type { UserRow } from "../repos/users.js";
import type { Database } from "../schema.js";

const usersByIds = compiled("users.byIds", (db, batch: { ids: readonly string[] }) =>
  db.selectFrom("users").selectAll().where("id", "=", sql<string>`any(${batch.ids})`),
);

export type UserKey = { poolId: string; id: string };
const userLoaders = new WeakMap<Kysely<Database>, DataLoader<UserKey, UserRow | undefined>>();

/**
 * PostgreSQL, outside transactions: the reads of a user by id made in one turn of the event loop
 * go out as one `id = any($1)` query. Under load dozens of requests read their user in the same
 * turn (every authenticated route does), and each query costs a round trip and the server's
 * per-statement work — more than finding the row. A read is still sent after its request
 * arrived, so it sees every write committed before; each caller gets its own row object.
 * SQLite answers in-process and synchronously: nothing to batch there (it keeps rows instead,
 * sqlite/user-rows.ts). Undefined on SQLite and inside transactions.
 */
export function batchedUserReads(db: Executor): DataLoader<UserKey, UserRow | undefined> | undefined {
  if (db.isTransaction || !(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const root = db as Kysely<Database>;
  let loader = userLoaders.get(root);
  if (!loader) {
    loader = new DataLoader(
      async (keys: readonly UserKey[]) => {
        const { rows } = await usersByIds(root, { ids: [...new Set(keys.map((k) => k.id))] });
        const byId = new Map(rows.map((row) => [row.id, row]));
        const handedOut = new Set<UserRow>();
        return keys.map((k) => {
          const row = byId.get(k.id);
          if (row?.pool_id !== k.poolId) return undefined;
          if (handedOut.has(row)) return { ...row };
          handedOut.add(row);
          return row;
        });
      },
      // No cache: every read goes to the database. The batch waits for the turn's I/O callbacks.
      { cache: false, batchScheduleFn: (send) => setImmediate(send), maxBatchSize: 100 },
    );
    userLoaders.set(root, loader);
  }
  return loader;
}
