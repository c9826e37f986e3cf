import type { CompiledQuery, QueryResult } from "kysely";
import { isUnprepared, markHot } from "../repos/compiled.js";
import type { Executor } from "../repos/executor.js";

/** What one statement of a batch must do; see repos/all-or-nothing.ts. */
export interface BatchPart {
  query: CompiledQuery;
  expectRows?: number;
  rows?: boolean;
}

/** The SQLSTATE `gatehouse_abort` raises (storage migration 0011-one-statement-writes). */
export const ABORT_SQLSTATE = "GH001";

const shapes = new Set<string>();

/**
 * Combined texts by the parts' texts and expectations: a batch of compiled statements hands the
 * same SQL strings every time, so its text is looked up rather than rebuilt with a regular
 * expression per part, and the same string comes back (its hash is computed once, for the
 * prepared-statement lookups). Bounded like `shapes`.
 */
interface TextNode {
  /** By the next part's SQL text, then by its expectation (`expectRows`, `rows`). */
  next: Map<string, Map<string, TextNode>>;
  sql?: string;
}
const texts: TextNode = { next: new Map() };
let textCount = 0;

function combinedText(parts: readonly BatchPart[]): string {
  let node = texts;
  for (const p of parts) {
    let byExpectation = node.next.get(p.query.sql);
    if (!byExpectation) {
      if (textCount >= 1000) return buildText(parts);
      byExpectation = new Map();
      node.next.set(p.query.sql, byExpectation);
    }
    const expectation = `${p.expectRows ?? ""}${p.rows ? "r" : ""}`;
    let child = byExpectation.get(expectation);
    if (!child) {
      if (textCount >= 1000) return buildText(parts);
      child = { next: new Map() };
      byExpectation.set(expectation, child);
    }
    node = child;
  }
  if (node.sql === undefined) {
    node.sql = buildText(parts);
    textCount++;
  }
  return node.sql;
}

function buildText(parts: readonly BatchPart[]): string {
  let offset = 0;
  const ctes: string[] = [];
  for (const [i, p] of parts.entries()) {
    const shift = offset;
    const body = p.query.sql.replace(/\$(\d+)/g, (_, n) => `$${Number(n) + shift}`);
    offset += p.query.parameters.length;
    ctes.push(
      `"s${i}" as (${/\breturning\b/i.test(body) || /^\s*select\b/i.test(body) ? body : `${body} returning 1`})`,
    );
  }
  const checks = parts.flatMap((p, i) =>
    p.expectRows === undefined
      ? []
      : [`when (select count(*) from "s${i}") <> ${Math.trunc(p.expectRows)} then gatehouse_abort(${i})`],
  );
  const columns = [checks.length > 0 ? `case ${checks.join(" ")} end as "failed"` : `null as "failed"`];
  for (const [i, p] of parts.entries()) {
    if (p.rows) columns.push(`(select coalesce(json_agg("s${i}"), '[]'::json) from "s${i}") as "r${i}"`);
    // A sub-statement nobody reads still runs; counting it keeps that visible in the plan.
    else if (p.expectRows === undefined) columns.push(`(select count(*) from "s${i}") as "n${i}"`);
  }
  const sql = `with ${ctes.join(", ")} select ${columns.join(", ")}`;
  // The text depends only on the statements' shapes: prepared once per connection, like a hot
  // query — unless a part must be planned at every run (repos/compiled.ts `markUnprepared`).
  if (!shapes.has(sql) && shapes.size < 1000) {
    shapes.add(sql);
    if (!parts.some((p) => isUnprepared(p.query.sql))) markHot(sql);
  }
  return sql;
}

/**
 * PostgreSQL: the statements as the sub-statements of one `WITH`, sent as one statement — one
 * round trip, atomic on its own (docs/performance.md, "Round trips"). Each sub-statement
 * returns its rows (`returning 1` is added to a write that returns nothing) so the final
 * `SELECT` can count them: the first whose count is not the expected one calls
 * `gatehouse_abort(i)`, which raises, and the whole statement — every sub-statement's writes —
 * is undone. Sub-statements run on one snapshot and do not see each other's writes: callers
 * pass statements that touch different rows.
 */
export async function runAsOneStatement(db: Executor, parts: readonly BatchPart[]): Promise<unknown[][]> {
  const sql = combinedText(parts);
  const parameters: unknown[] = [];
  for (const p of parts) parameters.push(...p.query.parameters);
  const result = (await db.executeQuery({
    sql,
    parameters,
    query: parts[0]!.query.query,
    queryId: parts[0]!.query.queryId,
  } as CompiledQuery)) as QueryResult<Record<string, unknown>>;
  const row = result.rows[0] ?? {};
  return parts.map((p, i) => (p.rows ? ((row[`r${i}`] as unknown[]) ?? []) : []));
}

/** The index of the part whose expectation failed, when `err` is gatehouse_abort's. */
export function abortedPart(err: unknown): number | undefined {
  const e = err as { code?: string; detail?: string } | undefined;
  if (e?.code !== ABORT_SQLSTATE) return undefined;
  const n = Number(e.detail);
  return Number.isInteger(n) ? n : undefined;
}
