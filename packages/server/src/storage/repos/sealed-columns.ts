import { sql } from "kysely";
import { applicationCache } from "./applications.js";
import type { Executor } from "./executor.js";
import { poolCache } from "./pools.js";

/** Every column that holds a secret the server must get back, stored sealed (docs/security.md §What is hashed and what is encrypted). */
export const sealableColumns = [
  "user_pools.secret",
  "applications.secret",
  "access_keys.secret",
  "signing_keys.private_pem",
] as const;
export type SealableColumn = (typeof sealableColumns)[number];

const ID_COLUMN: Record<SealableColumn, string> = {
  "user_pools.secret": "id",
  "applications.secret": "id",
  "access_keys.secret": "id",
  "signing_keys.private_pem": "kid",
};

function parts(column: SealableColumn) {
  const [table, name] = column.split(".") as [string, string];
  return { table: sql.table(table), value: sql.ref(name), id: sql.ref(ID_COLUMN[column]) };
}

/** Reads and rewrites of the sealed columns for the start-time step that seals what an older version left in clear. */
export function sealedColumnsRepo(db: Executor) {
  return {
    /** Rows whose value is not a sealed envelope (`v1:…`). */
    async listUnsealed(column: SealableColumn): Promise<{ id: string; value: string }[]> {
      const { table, value, id } = parts(column);
      const r = await sql<{ id: string; value: string }>`
        SELECT ${id} AS id, ${value} AS value FROM ${table} WHERE ${value} NOT LIKE 'v1:%'`.execute(db);
      return r.rows;
    },
    /** Replaces the value only while it is still `from` (another node may have sealed it meanwhile). */
    async replaceValue(column: SealableColumn, rowId: string, from: string, to: string): Promise<number> {
      const { table, value, id } = parts(column);
      const r =
        await sql`UPDATE ${table} SET ${value} = ${to} WHERE ${id} = ${rowId} AND ${value} = ${from}`.execute(
          db,
        );
      poolCache.drop(rowId);
      applicationCache.drop(rowId);
      return Number(r.numAffectedRows ?? 0);
    },
  };
}
