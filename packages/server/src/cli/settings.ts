import type { Command } from "commander";
import { NO_REQUEST } from "../services/events/scope.js";
import type { Runner } from "./pool.js";
import { CliError, emit, type OutputOptions, resolvePool, withContext } from "./shared.js";

type PoolOpt = OutputOptions & { pool?: string };

/** Flattens nested settings into `a.b.c  value` lines. */
function flatten(value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, JSON.stringify(value)]);
  }
  return out;
}

/** `a.b=value` → { a: { b: value } }; the value is JSON when it parses, else a string. */
export function parseAssignments(assignments: readonly string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new CliError(`expected key=value, got "${a}"`);
    const path = a.slice(0, eq).split(".");
    const raw = a.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let target = patch;
    for (const key of path.slice(0, -1)) {
      if (["__proto__", "constructor", "prototype"].includes(key)) throw new CliError(`invalid key ${key}`);
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return patch;
}

/** gatehouse settings get|set */
export function registerSettingsCommands(program: Command, run: Runner): void {
  const settings = program.command("settings").description("A user pool's security settings");
  settings
    .command("get [key]")
    .description("Print the settings (or one dotted key, e.g. changePhoneStrategy.verifyOldPhone)")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((key: string | undefined, opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const all = await ctx.admin.poolSettings.get(await resolvePool(ctx, opts.pool));
          const rows = flatten(all).filter(([k]) => !key || k === key || k.startsWith(`${key}.`));
          if (key && rows.length === 0) throw new CliError(`no setting ${key}`);
          const value = key ? key.split(".").reduce<any>((v, k) => v?.[k], all) : all;
          const width = Math.max(...rows.map(([k]) => k.length));
          emit(opts, value, () => rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));
        }),
      ),
    );
  settings
    .command("set <assignments...>")
    .description("Change settings: key=value … (dotted keys, JSON values), e.g. verifyCodeLength=4")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((assignments: string[], opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const patch = parseAssignments(assignments);
          const next = await ctx.admin.poolSettings.update(
            await resolvePool(ctx, opts.pool),
            patch,
            NO_REQUEST,
          );
          const changed = flatten(patch).map(([k]) => k);
          const rows = flatten(next).filter(([k]) => changed.some((c) => k === c || k.startsWith(`${c}.`)));
          emit(opts, next, () => rows.map(([k, v]) => `${k} = ${v}`).join("\n"));
        }),
      ),
    );
}
