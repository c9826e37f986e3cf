import type { Config } from "../config.js";
import { type Context, type ContextOptions, createContext } from "../context.js";
import { secureDataDir, tightenedWarning } from "../storage/data-dir.js";
import { oneLine, print, printErr } from "./io.js";

/** Helpers of the admin commands: they work on the configured database directly (no server). */

/** How commands build their context (tests run them in-process with a fake clock). */
export const cliContextOptions: ContextOptions = {};

/** A mistake of the operator's: printed as a message, without a stack. */
export class CliError extends Error {}

export interface OutputOptions {
  json?: boolean;
}

/**
 * Opens the database quietly (migrating it and creating the default pool if this is its first
 * use, as `gatehouse start` would), runs `fn`, closes.
 */
export async function withContext<T>(config: Config, fn: (ctx: Context) => Promise<T>): Promise<T> {
  const fixed = secureDataDir(config.dataDir, config.databaseUrl);
  if (fixed.length > 0) printErr(`gatehouse: ${tightenedWarning(fixed)}\n`);
  const ctx = await createContext({ ...config, logLevel: "silent" }, cliContextOptions);
  try {
    await ctx.admin.pools.ensureDefault();
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** `--pool <id>`, or the default pool created at bootstrap. */
export async function resolvePool(ctx: Context, pool: string | undefined): Promise<string> {
  if (pool) {
    if (!(await ctx.admin.pools.exists(pool)))
      throw new CliError(`no user pool ${pool} (see: gatehouse pool list)`);
    return pool;
  }
  return (await ctx.admin.pools.ensureDefault()).userPoolId;
}

/** A value as one table cell: JSON for objects, control characters and line breaks escaped. */
function cell(v: unknown): string {
  if (v === undefined || v === null) return "";
  return oneLine(typeof v === "object" ? JSON.stringify(v) : String(v));
}

/** A plain text table: a header, a rule, one line per row. */
export function table(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(columns), line(widths.map((w) => "─".repeat(w))), ...cells.map(line)].join("\n");
}

/** `key  value` lines for one record; unknown (null) values are left out, as in a table's blank cell. */
export function details(record: Record<string, unknown>): string {
  const keys = Object.keys(record).filter((k) => record[k] !== undefined && record[k] !== null);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${cell(record[k])}`).join("\n");
}

/** Prints JSON with --json, else the human form. */
export function emit(opts: OutputOptions, data: unknown, human: () => string): void {
  print(`${opts.json ? JSON.stringify(data, null, 2) : human()}\n`);
}

/** Repeatable option collector for commander (`--redirect-uri a --redirect-uri b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
