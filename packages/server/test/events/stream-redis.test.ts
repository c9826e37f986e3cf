import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { type Context, createContext } from "../../src/context.js";
import { type BootstrapInfo, ensureBootstrap } from "../../src/services/admin/bootstrap.js";
import { freshEmail } from "../helpers/codes.js";
import { freshDatabase, postgresAvailable } from "../helpers/harness.js";
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL, redisAvailable } from "../helpers/redis.js";
import { waitUntil } from "../helpers/wait.js";

const pgUp = await postgresAvailable();
const redisReachable = await redisAvailable();

/** Two nodes in one process on one database and one Redis: a subscriber on B hears what A did. */
describe("events: with Redis, the live stream reaches subscribers on every node [postgres + redis]", {
  skip: !pgUp || !redisReachable,
}, () => {
  const prefix = freshRedisPrefix();
  const nodes: { ctx: Context; app: FastifyInstance }[] = [];
  let boot: BootstrapInfo;
  let drop: () => Promise<void>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-events-redis-"));
  before(async () => {
    const db = await freshDatabase("postgres");
    drop = db.drop;
    const config = loadConfig(
      {},
      { databaseUrl: db.url, dataDir, redisUrl: REDIS_TEST_URL, redisKeyPrefix: prefix, logLevel: "silent" },
    );
    for (let i = 0; i < 2; i++) {
      const ctx = await createContext(config, { logger: pino({ level: "silent" }) });
      boot = (await ensureBootstrap(ctx.db.kysely, ctx.keys.box, ctx.clock, config.publicUrl)).info;
      nodes.push({ ctx, app: await buildApp(ctx) });
    }
    // Only node A fans out: what node B's subscriber gets came through Redis.
    nodes[0]!.ctx.events.worker.start();
  });
  after(async () => {
    for (const n of nodes) {
      await n.app.close();
      await n.ctx.close();
    }
    await drop?.();
    await dropRedisPrefix(prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a sign-up on node A reaches the pool's subscriber on node B, once", async () => {
    const heard: string[] = [];
    const unsubscribe = nodes[1]!.ctx.events.stream.subscribe({
      poolId: boot.userPoolId,
      eventName: "register",
      send: (m) => heard.push(m),
    });
    const signUp = async () =>
      (
        await nodes[0]!.app.inject({
          method: "POST",
          url: "/api/v3/signup",
          headers: { "x-authing-app-id": boot.appId },
          payload: {
            connection: "PASSWORD",
            passwordPayload: { email: freshEmail("redis"), password: "pw-redis-1" },
          },
        })
      ).json().data.userId as string;
    const first = await signUp();
    assert.ok(await waitUntil(() => heard.length >= 1));
    // Pub/sub keeps the order of one channel: once the second sign-up is heard, a duplicate of the
    // first would have arrived before it.
    const second = await signUp();
    assert.ok(await waitUntil(() => heard.some((m) => JSON.parse(m).data.userId === second)));
    assert.deepEqual(
      heard.map((m) => JSON.parse(m).data.userId),
      [first, second],
    );
    unsubscribe();
  });
});
