import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe } from "node:test";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import pg from "pg";
import pino from "pino";
import { buildApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import { type Context, type ContextOptions, createContext } from "../../src/context.js";
import type { Clock } from "../../src/lib/clock.js";
import { type BootstrapInfo, ensureBootstrap } from "../../src/services/admin/bootstrap.js";
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL, redisUp } from "./redis.js";

export type DialectName = "sqlite" | "postgres";
export const PG_ADMIN_URL = process.env.GATEHOUSE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let pgReachable: Promise<boolean> | undefined;
/** Whether the PostgreSQL half can run. Under CI an unreachable server is a failure, not a skip. */
export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
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
  const name = `gh_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
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
}

/** Builds a real context + app on a fresh database of the given dialect. */
export async function createHarness(dialect: DialectName, options: HarnessOptions = {}) {
  const db = await freshDatabase(dialect);
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
  const ctx = await createContext(config, { logger, clock: options.clock, argon2: options.argon2 });
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
