import fs from "node:fs";
import { CreateUserInfo } from "@gatehouse/protocol";
import type { Command } from "commander";
import type { RejectedRow } from "../services/admin/users/import.js";
import {
  type ImportFormat,
  type ImportRecord,
  importFormatOf,
  readImportRecords,
} from "../services/admin/users/import-reader.js";
import { NO_REQUEST } from "../services/events/scope.js";
import { io, oneLine, print, printErr } from "./io.js";
import type { Runner } from "./pool.js";
import { ProgressBar, type ProgressState } from "./progress.js";
import { CliError, resolvePool, withContext } from "./shared.js";

interface ImportOpts {
  format?: string;
  pool?: string;
  batchSize: string;
  rejects?: string;
  progress: boolean;
  json?: boolean;
}

const KNOWN_COLUMNS = new Set([...Object.keys(CreateUserInfo.properties), "passwordHash"]);
const SHOWN_REJECTIONS = 20;

/** gatehouse user import <file.csv|file.jsonl> */
export function registerUserImportCommand(user: Command, run: Runner): void {
  user
    .command("import <file>")
    .description(
      "Import users from CSV (header row) or JSON Lines. Columns/keys: email, phone, phoneCountryCode, username, " +
        "externalId, name, nickname, gender, status, emailVerified, phoneVerified, other profile fields, " +
        "customData (JSON) or customData.<key>, password (plain) or passwordHash (bcrypt/argon2, kept as-is)",
    )
    .option("--format <format>", "csv | jsonl (default: from the file name)")
    .option("--batch-size <n>", "rows per database batch", "1000")
    .option("--rejects <file>", "write every rejected row's line and reason to this JSON Lines file")
    .option("--no-progress", "no progress bar")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print the summary as JSON")
    .action((file: string, opts: ImportOpts) =>
      run((config) => withContext(config, (ctx) => importFile(ctx, file, opts))),
    );
}

async function importFile(
  ctx: Parameters<Parameters<typeof withContext>[1]>[0],
  file: string,
  opts: ImportOpts,
) {
  let format: ImportFormat;
  try {
    format = importFormatOf(file, opts.format);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
  const batchSize = Number.parseInt(opts.batchSize, 10);
  if (!(batchSize >= 1 && batchSize <= 10_000)) throw new CliError("--batch-size must be 1 to 10000");
  const poolId = await resolvePool(ctx, opts.pool);
  const importer = ctx.admin.users.importer(poolId, NO_REQUEST);
  const started = Date.now();

  const input = fs.createReadStream(file);
  const state: ProgressState = {
    bytes: 0,
    totalBytes: fs.statSync(file).size,
    rows: 0,
    accepted: 0,
    rejected: 0,
  };
  input.on("data", (chunk) => {
    state.bytes += chunk.length;
  });
  const bar = new ProgressBar(io.err, io.errIsTTY(), opts.progress);
  const rejectsOut = opts.rejects ? fs.createWriteStream(opts.rejects) : undefined;
  const shown: RejectedRow[] = [];
  const byKey = new Map<string, number>();
  let warnedColumns = false;

  const flush = async (batch: ImportRecord[]) => {
    const { accepted, rejected } = await importer.importBatch(batch);
    state.rows += batch.length;
    state.accepted += accepted;
    state.rejected += rejected.length;
    for (const r of rejected) {
      byKey.set(r.key, (byKey.get(r.key) ?? 0) + 1);
      if (shown.length < SHOWN_REJECTIONS) shown.push(r);
      rejectsOut?.write(`${oneLine(JSON.stringify(r))}\n`);
    }
    bar.update(state);
  };

  let batch: ImportRecord[] = [];
  let pending: Promise<void> = Promise.resolve();
  bar.update(state, true);
  for await (const rec of readImportRecords(input, format)) {
    if (!warnedColumns) {
      warnedColumns = true;
      const unknown = Object.keys(rec.fields).filter(
        (k) => !KNOWN_COLUMNS.has(k) && !k.startsWith("customData."),
      );
      if (unknown.length) printErr(`warning: ignoring unknown column(s): ${oneLine(unknown.join(", "))}\n`);
    }
    batch.push(rec);
    if (batch.length >= batchSize) {
      // The next batch is read while this one is written; batches are written one at a time.
      await pending;
      pending = flush(batch);
      pending.catch(() => {}); // observed here, rethrown by the next await
      batch = [];
    }
  }
  await pending;
  if (batch.length) await flush(batch);
  state.bytes = state.totalBytes;
  bar.done(state);
  await new Promise<void>((resolve) => (rejectsOut ? rejectsOut.end(resolve) : resolve()));

  const seconds = (Date.now() - started) / 1000;
  const summary = {
    file,
    userPoolId: poolId,
    rows: state.rows,
    accepted: state.accepted,
    rejected: state.rejected,
    rejectedByReason: Object.fromEntries(byKey),
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(state.rows / Math.max(seconds, 0.001)),
    firstRejections: shown,
  };
  if (opts.json) {
    print(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const lines = [
      `imported ${state.accepted.toLocaleString("en-US")} of ${state.rows.toLocaleString("en-US")} rows into pool ${poolId} ` +
        `in ${seconds.toFixed(1)} s (${summary.rowsPerSecond.toLocaleString("en-US")} rows/s)`,
      `rejected ${state.rejected.toLocaleString("en-US")}` +
        (byKey.size ? `: ${[...byKey].map(([k, n]) => `${k} ${n}`).join(", ")}` : ""),
      ...shown.map((r) => `  line ${r.line}: ${oneLine(r.reason)}`),
    ];
    if (state.rejected > shown.length) {
      lines.push(
        `  … ${state.rejected - shown.length} more${opts.rejects ? ` in ${opts.rejects}` : " (use --rejects <file>)"}`,
      );
    }
    print(`${lines.join("\n")}\n`);
  }
  if (state.rejected > 0) io.fail();
}
