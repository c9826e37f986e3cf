import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { type Context, type ContextOptions, createContext } from "../../src/context.js";
import { type BootstrapInfo, ensureBootstrap } from "../../src/services/admin/bootstrap.js";
import { migratedDatabase } from "./harness.js";
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL } from "./redis.js";
import { testContextOptions } from "./test-context.js";

export interface InProcessNode {
  ctx: Context;
  app: FastifyInstance;
}

export interface InProcessCluster {
  nodes: InProcessNode[];
  /** The bootstrap pool and application every node shares (set once `before` has run). */
  boot: BootstrapInfo;
}

/**
 * Two (or `count`) nodes in one test process — a context and an app each — on one fresh
 * PostgreSQL database and, with `redis`, one Redis key prefix: what the cross-node tests need
 * without the cost of spawning servers (spawned nodes: `cluster.ts`). Registers the suite's
 * `before` (start) and `after` (close, drop the database and the prefix); call it inside a
 * `describe`.
 */
export function inProcessNodes(
  options: { count?: number; redis?: boolean; context?: ContextOptions } = {},
): InProcessCluster {
  const cluster = { nodes: [] as InProcessNode[] } as InProcessCluster;
  const prefix = options.redis ? freshRedisPrefix() : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-nodes-"));
  let drop: (() => Promise<void>) | undefined;
  before(async () => {
    const db = await migratedDatabase("postgres");
    drop = db.drop;
    const config = loadConfig(
      {},
      {
        databaseUrl: db.url,
        dataDir,
        logLevel: "silent",
        emailSender: "memory",
        ...(prefix ? { redisUrl: REDIS_TEST_URL, redisKeyPrefix: prefix } : {}),
      },
    );
    for (let i = 0; i < (options.count ?? 2); i++) {
      const ctx = await createContext(config, {
        logger: pino({ level: "silent" }),
        ...testContextOptions,
        ...options.context,
      });
      cluster.boot = (await ensureBootstrap(ctx.db.kysely, ctx.keys.box, ctx.clock, config.publicUrl)).info;
      cluster.nodes.push({ ctx, app: await buildApp(ctx) });
    }
  });
  after(async () => {
    for (const n of cluster.nodes) {
      await n.app.close();
      await n.ctx.close();
    }
    await drop?.();
    if (prefix) await dropRedisPrefix(prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return cluster;
}
