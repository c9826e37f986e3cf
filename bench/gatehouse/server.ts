import fs from "node:fs";
import path from "node:path";
import { freePort, type ServerProcess, spawnServer } from "../lib/proc.js";
import type { FreshDatabase } from "./database.js";

const cli = new URL("../../packages/server/dist/cli/index.js", import.meta.url).pathname;

/** The server secret the bench uses, so its own code-engine context keys codes the same way. */
export const BENCH_SECRET = "bench-secret-0123456789abcdef-0123456789abcdef";

export interface GatehouseOptions {
  /** Write a V8 CPU profile into this directory when the server stops. */
  profileDir?: string;
  /** UV_THREADPOOL_SIZE for the server process (default: Node's, 4). */
  threadpool?: string;
  /** Extra node flags for the server process (e.g. "--max-semi-space-size=4"), to try V8 settings. */
  nodeFlags?: string;
  label: string;
  /** The database the server uses, when not the fresh database's own URL (e.g. through a proxy). */
  databaseUrl?: string;
  /** Deliver SMS and email to this webhook (a null endpoint) instead of the memory outbox. */
  webhookUrl?: string;
}

/**
 * Production-like settings: built code, log level info to a file, code and sign-up caps raised so
 * the bench is not rate limited, messages to memory (or to a webhook that keeps nothing).
 */
export function gatehouseEnv(db: FreshDatabase, port: number): NodeJS.ProcessEnv {
  return {
    NODE_ENV: "production",
    GATEHOUSE_HOST: "127.0.0.1",
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_PUBLIC_URL: `http://127.0.0.1:${port}`,
    GATEHOUSE_DATA_DIR: path.join(db.dir, "data"),
    GATEHOUSE_DATABASE_URL: db.url,
    GATEHOUSE_SECRET: BENCH_SECRET,
    GATEHOUSE_LOG_LEVEL: "info",
    GATEHOUSE_SMS_SENDER: "memory",
    GATEHOUSE_EMAIL_SENDER: "memory",
    GATEHOUSE_CODE_TARGET_HOURLY_LIMIT: "1000000000",
    GATEHOUSE_CODE_IP_HOURLY_LIMIT: "1000000000",
    GATEHOUSE_SMS_POOL_HOURLY_LIMIT: "1000000000",
    GATEHOUSE_EMAIL_POOL_HOURLY_LIMIT: "1000000000",
    GATEHOUSE_SIGNUP_IP_HOURLY_LIMIT: "1000000000",
    GATEHOUSE_SIGNUP_POOL_HOURLY_LIMIT: "1000000000",
    // The sign-up-with-webhooks scenario's receiver listens on 127.0.0.1.
    GATEHOUSE_WEBHOOK_ALLOW_PRIVATE: "true",
  };
}

/**
 * The node flags `npm start` gives the server (package.json's start script), so the bench measures
 * the process users run.
 */
export function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  const m = /\bnode((?:\s+--\S+)*)\s+packages\/server\/dist\/cli\/index\.js start/.exec(pkg.scripts.start);
  if (!m) throw new Error(`cannot find the node command in the start script: ${pkg.scripts.start}`);
  return m[1].split(/\s+/).filter(Boolean);
}

/** Starts Gatehouse from `packages/server/dist` (run `npm run build` first) on 127.0.0.1. */
export async function startGatehouse(db: FreshDatabase, opts: GatehouseOptions): Promise<ServerProcess> {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const args: string[] = [];
  if (opts.profileDir) {
    fs.mkdirSync(opts.profileDir, { recursive: true });
    args.push(
      "--cpu-prof",
      `--cpu-prof-dir=${opts.profileDir}`,
      `--cpu-prof-name=${opts.label}-${Date.now()}.cpuprofile`,
    );
  }
  args.push(...startScriptNodeFlags());
  if (opts.nodeFlags) args.push(...opts.nodeFlags.split(/\s+/).filter(Boolean));
  args.push(cli, "start");
  const env = gatehouseEnv(db, port);
  // The bench reads the round trips to PostgreSQL from /metrics (bench/lib/round-trips.ts); metrics
  // are off by default, and their per-request hook is a cost, so only the PostgreSQL servers pay it.
  if (db.dialect === "postgres") env.GATEHOUSE_METRICS = "public";
  if (opts.databaseUrl) env.GATEHOUSE_DATABASE_URL = opts.databaseUrl;
  if (opts.threadpool) env.UV_THREADPOOL_SIZE = opts.threadpool;
  if (opts.webhookUrl) {
    // The memory outbox keeps every message: under send-sms load it would be the memory test.
    env.GATEHOUSE_SMS_SENDER = "webhook";
    env.GATEHOUSE_SMS_WEBHOOK_URL = `${opts.webhookUrl}/sms`;
    env.GATEHOUSE_EMAIL_SENDER = "webhook";
    env.GATEHOUSE_EMAIL_WEBHOOK_URL = `${opts.webhookUrl}/email`;
  }
  return spawnServer({
    name: `gatehouse (${opts.label})`,
    args,
    env,
    port,
    readyPath: "/ready",
    logFile: path.join(db.dir, "server.log"),
  });
}
