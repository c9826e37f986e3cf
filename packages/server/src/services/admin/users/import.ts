import { CreateUserInfo, type CreateUserOptions, type PoolSettings } from "@gatehouse/protocol";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { Kysely } from "kysely";
import { ApiError } from "../../../errors.js";
import type { Clock } from "../../../lib/clock.js";
import type { Dialect } from "../../../storage/db.js";
import type { CustomFieldRow } from "../../../storage/repos/custom-fields.js";
import type { Repositories } from "../../../storage/repos/index.js";
import type { Database } from "../../../storage/schema.js";
import type { Passwords } from "../../auth/passwords/hashing.js";
import type { Emit } from "../../events/emit.js";
import type { EventOrigin } from "../../events/scope.js";
import {
  firstTaken,
  insertPreparedUsers,
  loadPoolSettings,
  markTaken,
  noneTaken,
  type PreparedUser,
  prepareNewUser,
  wantedIdentifiers,
} from "./create.js";
import type { ImportRecord } from "./import-reader.js";

/**
 * The engine of `gatehouse user import`: validates rows like create-user, keeps imported
 * bcrypt/argon2 hashes as-is (`passwordHash`), hashes plain `password`s, and inserts each batch
 * in short transactions. Every row is accepted or rejected with a reason.
 */
export interface RejectedRow {
  line: number;
  /** Error key, e.g. EMAIL_TAKEN, INVALID_PHONE, INVALID_ROW. */
  key: string;
  reason: string;
}

export interface BatchResult {
  accepted: number;
  rejected: RejectedRow[];
}

const rowCheck = TypeCompiler.Compile(CreateUserInfo);

/** Rows per multi-row INSERT (a users row has ~55 columns; SQLite allows 32,766 parameters). */
const INSERT_CHUNK = 250;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** CSV cells are text: give customData values their field's type. */
function coerceCustomData(fields: readonly CustomFieldRow[], data: Record<string, unknown>) {
  const byKey = new Map(fields.map((f) => [f.key, f.data_type]));
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== "string") continue;
    const type = byKey.get(k);
    if (type === "NUMBER" && v.trim() !== "" && Number.isFinite(Number(v))) data[k] = Number(v);
    if (type === "BOOLEAN" && /^(true|false)$/i.test(v.trim())) data[k] = v.trim().toLowerCase() === "true";
  }
}

function rejection(line: number, err: unknown): RejectedRow {
  if (err instanceof ApiError) return { line, key: err.key, reason: err.message };
  throw err;
}

export interface UserImportDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  repos: Repositories;
  passwords: Passwords;
  clock: Clock;
  emit: Emit;
}

/** `importer(poolId)` holds one import's state (settings, fields, ANALYZE schedule): one per file. */
export function createUserImport(deps: UserImportDeps) {
  return {
    importer: (poolId: string, origin: EventOrigin, options: { hashConcurrency?: number } = {}) =>
      userImporter(deps, poolId, origin, options),
  };
}

function userImporter(
  deps: UserImportDeps,
  poolId: string,
  origin: EventOrigin,
  options: { hashConcurrency?: number },
) {
  const { db, dialect, repos } = deps;
  let settings: PoolSettings | undefined;
  let fields: CustomFieldRow[] | undefined;
  let insertedSinceAnalyze = 0;
  let analyzeAfter = 5_000;

  async function prepare(rec: ImportRecord): Promise<PreparedUser | RejectedRow> {
    if (rec.error) return { line: rec.line, key: "INVALID_ROW", reason: rec.error };
    const { passwordHash, ...rest } = rec.fields;
    if (passwordHash !== undefined && rest.password !== undefined) {
      return { line: rec.line, key: "INVALID_ROW", reason: "give password or passwordHash, not both" };
    }
    const info: Record<string, unknown> = { ...rest };
    if (passwordHash !== undefined) info.password = passwordHash;
    if (info.customData && typeof info.customData === "object") {
      coerceCustomData(fields!, info.customData as Record<string, unknown>);
    }
    const problem = rowCheck.Check(info) ? undefined : rowCheck.Errors(info).First();
    if (problem) {
      return {
        line: rec.line,
        key: "INVALID_ROW",
        reason: `${problem.path.slice(1) || "row"}: ${problem.message}`,
      };
    }
    const opts: CreateUserOptions = { keepPassword: passwordHash !== undefined };
    try {
      return await prepareNewUser(deps, poolId, settings!, fields!, info as CreateUserInfo, opts, "excel");
    } catch (err) {
      return rejection(rec.line, err);
    }
  }

  /** One transaction per batch; if a concurrent writer took an identifier meanwhile, row by row. */
  async function insert(
    rows: { line: number; user: PreparedUser }[],
    rejected: RejectedRow[],
  ): Promise<number> {
    try {
      await insertPreparedUsers(
        db,
        deps.emit,
        origin,
        rows.map((r) => r.user),
        INSERT_CHUNK,
      );
      return rows.length;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    let accepted = 0;
    for (const r of rows) {
      try {
        await insertPreparedUsers(db, deps.emit, origin, [r.user]);
        accepted++;
      } catch (e) {
        rejected.push(rejection(r.line, e));
      }
    }
    return accepted;
  }

  return {
    async importBatch(records: readonly ImportRecord[]): Promise<BatchResult> {
      settings ??= await loadPoolSettings(repos, poolId);
      fields ??= await repos.customFields.listCustomFields(poolId, "USER");
      const rejected: RejectedRow[] = [];
      const prepared = await mapLimit(records, options.hashConcurrency ?? 4, prepare);

      const seen = noneTaken();
      const candidates: { line: number; user: PreparedUser }[] = [];
      for (const [i, p] of prepared.entries()) {
        if ("reason" in p) {
          rejected.push(p);
          continue;
        }
        const line = records[i]!.line;
        const dup = firstTaken(p.ids, seen);
        if (dup) {
          rejected.push({ line, key: dup.key, reason: `${dup.message} (earlier in the file)` });
          continue;
        }
        markTaken(seen, p.ids);
        candidates.push({ line, user: p });
      }

      const taken = await repos.userAdmin.findTakenIdentifiers(
        poolId,
        wantedIdentifiers(candidates.map((c) => c.user.ids)),
      );
      const free = candidates.filter((c) => {
        const err = firstTaken(c.user.ids, taken);
        if (err) rejected.push({ line: c.line, key: err.key, reason: err.message });
        return !err;
      });
      const accepted = await insert(free, rejected);
      insertedSinceAnalyze += accepted;
      if (dialect === "postgres" && insertedSinceAnalyze >= analyzeAfter) {
        // Doubling intervals: a handful of ANALYZEs however large the file.
        await repos.userAdmin.analyzeUsers();
        analyzeAfter *= 2;
        insertedSinceAnalyze = 0;
      }
      rejected.sort((a, b) => a.line - b.line);
      return { accepted, rejected };
    },
  };
}
