import { sql } from "kysely";
import type { Db } from "../../src/storage/db.js";

/**
 * What a rejected request may change by design, and so is left out of "a rejected request
 * changes nothing": the counters of cooldowns, caps and lockouts (a refused guess must count),
 * the sign-in history and the `login-failed` events (failed attempts are recorded), and a code's
 * wrong-attempt count.
 */
export const CHANGED_BY_DESIGN: Record<string, string[] | "all"> = {
  rate_buckets: "all",
  login_history: "all",
  gh_migrations: "all",
  gh_migrations_lock: "all",
  verification_codes: ["attempts"],
};

/** Rows a rejected request adds by design: a refused sign-in's `login-failed` event (docs/events.md). */
const ROWS_CHANGED_BY_DESIGN: Record<string, string> = {
  events: `name <> 'login-failed'`,
};
const rowFilter = (table: string) =>
  ROWS_CHANGED_BY_DESIGN[table] ? ` where ${ROWS_CHANGED_BY_DESIGN[table]}` : "";

/**
 * The tables whose part differs between two fingerprints of one snapshotter, to say what a refused
 * request changed.
 */
export function changedTables(snapshot: Snapshot, before: string, after: string): string[] {
  const split = (fp: string) =>
    fp.startsWith("[") ? (JSON.parse(fp) as unknown[]).map((t) => JSON.stringify(t)) : fp.split(",");
  const [a, b] = [split(before), split(after)];
  return snapshot.tables.filter((_, i) => a[i] !== b[i]);
}

export type Snapshot = (() => Promise<string>) & { tables: string[] };

/** A fingerprint of every table's content (both dialects); equal fingerprints = same data. */
export async function snapshotter(
  db: Db,
  alsoChangedByDesign: Record<string, string[] | "all"> = {},
): Promise<Snapshot> {
  const changedByDesign = { ...CHANGED_BY_DESIGN, ...alsoChangedByDesign };
  const tables: { name: string; columns: string[] }[] = [];
  if (db.dialect === "sqlite") {
    const sqlite = db.sqlite!;
    const names = sqlite
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .all() as { name: string }[];
    for (const { name } of names) {
      const skip = changedByDesign[name];
      if (skip === "all") continue;
      const cols = (sqlite.prepare(`pragma table_info("${name}")`).all() as { name: string }[])
        .map((c) => c.name)
        .filter((c) => !skip?.includes(c));
      tables.push({ name, columns: cols });
    }
    const statements = tables.map((t) =>
      sqlite
        .prepare(
          `select ${t.columns.map((c) => `"${c}"`).join(", ")} from "${t.name}"${rowFilter(t.name)} order by 1`,
        )
        .raw(),
    );
    return Object.assign(async () => JSON.stringify(statements.map((s) => s.all())), {
      tables: tables.map((t) => t.name),
    });
  }
  const rows = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`.execute(db.kysely);
  const byTable = new Map<string, string[]>();
  for (const r of rows.rows) {
    const skip = changedByDesign[r.table_name];
    if (skip === "all" || skip?.includes(r.column_name)) continue;
    byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
  }
  const parts = [...byTable].map(
    ([name, cols]) =>
      `(select md5(coalesce(string_agg(row(${cols.map((c) => `t."${c}"`).join(", ")})::text, '|' order by row(${cols
        .map((c) => `t."${c}"`)
        .join(", ")})::text), '')) from "${name}" t${rowFilter(name)})`,
  );
  const query = sql.raw(`select ${parts.join(" || ',' || ")} as fp`);
  return Object.assign(async () => ((await query.execute(db.kysely)).rows[0] as { fp: string }).fp, {
    tables: [...byTable.keys()],
  });
}
