import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe } from "node:test";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import pg from "pg";
import pino from "pino";
import { buildApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import { type Context, type ContextOptions, createContext } from "../../src/context.js";
import type { Clock } from "../../src/lib/clock.js";
import { type BootstrapInfo, ensureBootstrap } from "../../src/services/admin/bootstrap.js";
import { openDb } from "../../src/storage/db.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL, redisUp } from "./redis.js";
import { testContextOptions } from "./test-context.js";

export type DialectName = "sqlite" | "postgres";
export const PG_ADMIN_URL = process.env.GATEHOUSE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let pgReachable: Promise<boolean> | undefined;
/** Whether the PostgreSQL half can run. Under CI an unreachable server is a failure, not a skip. */
export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    // 10 s: on two cores shared with a mutation run a first connection took over 2 s (load 20+),
    // and a slow machine is not a missing database.
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch (err) {
      if (process.env.CI)
        throw new Error(`PostgreSQL is required under CI but unreachable at ${PG_ADMIN_URL}: ${err}`);
      console.log(`# notice: PostgreSQL unreachable at ${PG_ADMIN_URL}; skipping the PostgreSQL half`);
      return false;
    }
  })();
  return pgReachable;
}

/** A fresh, empty database for one test suite; `drop` removes it. */
export async function freshDatabase(
  dialect: DialectName,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-test-"));
    return {
      url: `sqlite:${path.join(dir, "test.db")}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  return postgresDatabase("");
}

/**
 * A fresh database with every migration applied, copied from a template migrated once: migrating
 * an empty database costs a few hundred milliseconds of CPU and seconds of wall time on a loaded
 * machine, and a run builds a harness for most suites. The template is named after the storage
 * code (every migration is a file under src/storage), so a changed migration builds a new one; it
 * is kept between runs (PostgreSQL: databases `gh_tpl_<hash>`; SQLite: files under the system's
 * temporary directory). Tests of the migrations themselves start from `freshDatabase`.
 */
export async function migratedDatabase(
  dialect: DialectName,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === "sqlite") {
    const template = await sqliteTemplate();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-test-"));
    const file = path.join(dir, "test.db");
    fs.copyFileSync(template, file);
    return {
      url: `sqlite:${file}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const template = await postgresTemplate();
  return postgresDatabase(`TEMPLATE ${template}`);
}

let storageHash: string | undefined;
/** A hash of every source file under src/storage, the migrations among them. */
function storageCodeHash(): string {
  if (storageHash) return storageHash;
  const root = fileURLToPath(new URL("../../src/storage/", import.meta.url));
  const files = listFiles(root)
    .filter((f) => f.endsWith(".ts"))
    .sort();
  const hash = createHash("sha256");
  for (const f of files)
    hash.update(path.relative(root, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  storageHash = hash.digest("hex").slice(0, 16);
  return storageHash;
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

let sqliteTemplatePath: Promise<string> | undefined;
function sqliteTemplate(): Promise<string> {
  sqliteTemplatePath ??= (async () => {
    const dir = path.join(os.tmpdir(), "gatehouse-test-templates");
    const file = path.join(dir, `${storageCodeHash()}.db`);
    if (fs.existsSync(file)) return file;
    fs.mkdirSync(dir, { recursive: true });
    // Built beside, then renamed: a process that finds the file finds it complete.
    const building = fs.mkdtempSync(path.join(dir, "building-"));
    try {
      const db = openDb(`sqlite:${path.join(building, "t.db")}`);
      try {
        await migrateToLatest(db);
      } finally {
        await db.close(); // checkpoints the WAL into the file
      }
      fs.renameSync(path.join(building, "t.db"), file);
    } finally {
      fs.rmSync(building, { recursive: true, force: true });
    }
    return file;
  })();
  return sqliteTemplatePath;
}

let pgTemplateName: Promise<string> | undefined;
function postgresTemplate(): Promise<string> {
  pgTemplateName ??= (async () => {
    const name = `gh_tpl_${storageCodeHash()}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      // One builder at a time across processes; the others wait, then find it built.
      await admin.query("SELECT pg_advisory_lock(hashtext('gatehouse test template'))");
      const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (found.rowCount === 0) {
        // Built under another name and renamed once complete: a builder that dies leaves no
        // half-migrated template behind.
        const building = await postgresDatabase("");
        const db = openDb(building.url);
        try {
          await migrateToLatest(db);
        } finally {
          await db.close();
        }
        await admin.query(`ALTER DATABASE ${new URL(building.url).pathname.slice(1)} RENAME TO ${name}`);
      }
    } finally {
      await admin.end(); // ends the session, and its advisory lock
    }
    return name;
  })();
  return pgTemplateName;
}

async function postgresDatabase(clause: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `gh_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} ${clause}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Harness {
  dialect: DialectName;
  ctx: Context;
  app: FastifyInstance;
  boot: BootstrapInfo;
  /** The Redis key prefix when the harness runs with `redis: true`. */
  redisPrefix?: string;
  /** Captured log lines (JSON strings), for tests that scan logs for secrets. */
  logs: string[];
  /** POST/GET an /api/v3 route as the default application; returns the parsed envelope. */
  api(method: "GET" | "POST", url: string, body?: unknown, headers?: Record<string, string>): Promise<any>;
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

export interface HarnessOptions {
  config?: Partial<Config>;
  clock?: Clock;
  /** Shared counters in Redis (GATEHOUSE_REDIS_URL) under a key prefix of this harness's own. */
  redis?: boolean;
  /** The argon2 functions the context hashes with (counting wrappers, to compare work). */
  argon2?: ContextOptions["argon2"];
  /** The cost of new password hashes (default: helpers/test-context.ts's cheap one). */
  argon2Params?: ContextOptions["argon2Params"];
}

/** Builds a real context + app on a fresh database of the given dialect. */
export async function createHarness(dialect: DialectName, options: HarnessOptions = {}) {
  const db = await migratedDatabase(dialect);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-data-"));
  const redisPrefix = options.redis ? freshRedisPrefix() : undefined;
  const config = loadConfig(
    {},
    {
      databaseUrl: db.url,
      dataDir,
      logLevel: "info",
      smsSender: "memory",
      emailSender: "memory",
      // Every injected request comes from 127.0.0.1 into one pool: keep the code and sign-up caps
      // out of unrelated suites' way (the cap tests set their own limits).
      codeTargetHourlyLimit: 1000,
      codeIpHourlyLimit: 1000,
      smsPoolHourlyLimit: 1_000_000,
      emailPoolHourlyLimit: 1_000_000,
      signUpIpHourlyLimit: 1_000_000,
      signUpPoolHourlyLimit: 1_000_000,
      // Test receivers listen on 127.0.0.1.
      webhookAllowPrivate: true,
      ...(redisPrefix ? { redisUrl: REDIS_TEST_URL, redisKeyPrefix: redisPrefix } : {}),
      ...options.config,
    },
  );
  const logs: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const ctx = await createContext(config, {
    logger,
    clock: options.clock,
    argon2: options.argon2,
    ...testContextOptions,
    ...(options.argon2Params ? { argon2Params: options.argon2Params } : {}),
  });
  const { info: boot } = await ensureBootstrap(ctx.db.kysely, ctx.keys.box, ctx.clock, config.publicUrl);
  const app = await buildApp(ctx);
  const harness: Harness = {
    dialect,
    ctx,
    app,
    boot,
    redisPrefix,
    logs,
    inject: (opts) => app.inject(opts),
    async api(method, url, body, headers = {}) {
      const res = await app.inject({
        method,
        url,
        headers: { "x-authing-app-id": boot.appId, ...headers },
        ...(body !== undefined ? { payload: body as any } : {}),
      });
      return res.json();
    },
  };
  return {
    harness,
    async close() {
      await app.close();
      await ctx.close();
      await db.drop();
      if (redisPrefix) await dropRedisPrefix(redisPrefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The dialects describeEachDialect declares: both unless GATEHOUSE_TEST_DIALECTS names some
 * (`sqlite`): `npm run mutate` runs the SQLite half only (docs/reliability.md §Mutation testing).
 */
const dialects = (process.env.GATEHOUSE_TEST_DIALECTS ?? "sqlite,postgres")
  .split(",")
  .map((d) => d.trim())
  .filter((d): d is DialectName => d === "sqlite" || d === "postgres");

/** Settled before any suite is declared (see describeEachDialect). */
const pgUpAtImport = dialects.includes("postgres") && (await postgresAvailable());

/**
 * Declares the suite once per dialect: `describeEachDialect("profile", (h) => { it(..., () => h().api(...)) })`.
 * The PostgreSQL half is skipped with a notice when no server is reachable (never under CI), and
 * when GATEHOUSE_TEST_DIALECTS leaves it out.
 */
export function describeEachDialect(
  title: string,
  body: (h: () => Harness) => void,
  options: HarnessOptions = {},
) {
  for (const dialect of dialects) {
    // The suite body must not await: Node 20 files tests registered after an await under whichever
    // suite is being built at that moment, so two suites awaiting at once swap their tests.
    // `redis: true` suites: the test file awaits redisAvailable() at top level first. A suite that
    // cannot run is reported as skipped, with the reason, never as an empty pass.
    const skip =
      options.redis === true && !redisUp()
        ? "Redis unreachable (outside CI)"
        : dialect === "postgres" && !pgUpAtImport
          ? "PostgreSQL unreachable (outside CI)"
          : false;
    describe(`${title} [${dialect}${options.redis ? " + redis" : ""}]`, { skip }, () => {
      let current: Awaited<ReturnType<typeof createHarness>> | undefined;
      before(async () => {
        current = await createHarness(dialect, options);
      });
      after(async () => {
        await current?.close();
      });
      body(() => {
        if (!current) throw new Error("harness not ready");
        return current.harness;
      });
    });
  }
}
