import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { databaseNonceStore, type NonceStore } from "../../src/services/admin/nonce-store.js";
import type { LoginCounterStore } from "../../src/services/auth/lockout.js";
import { dbLoginCounterStore } from "../../src/services/auth/lockout.js";
import { type CounterStore, dbCounterStore } from "../../src/services/codes/counter-store.js";
import { openDb } from "../../src/storage/db.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import { openRedis, type Redis } from "../../src/storage/redis/client.js";
import { redisCounterStore, redisLoginCounterStore } from "../../src/storage/redis/counter-store.js";
import { redisNonceStore } from "../../src/storage/redis/nonce-store.js";
import { repositories } from "../../src/storage/repos/index.js";
import { type DialectName, freshDatabase, postgresAvailable } from "../helpers/harness.js";
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL, redisAvailable } from "../helpers/redis.js";

const pgUp = await postgresAvailable();
const redisReachable = await redisAvailable();
/** GATEHOUSE_FUZZ_SCALE multiplies every property's case count (on-demand long runs). */
const scale = Number(process.env.GATEHOUSE_FUZZ_SCALE ?? 1);

const BUCKETS = [
  { name: "a", limit: 1, windowMs: 1000 },
  { name: "b", limit: 2, windowMs: 3000 },
  { name: "c", limit: 3, windowMs: 5000 },
];
const LOGIN_KEYS = [
  { name: "x", limit: 2, windowMs: 2000 },
  { name: "y", limit: 4, windowMs: 5000 },
];

type TakeOp = { op: "take"; buckets: number[] } | { op: "advance"; ms: number };
const takeOps = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constant("take" as const),
      buckets: fc.uniqueArray(fc.nat(2), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3000 }) }),
  ),
  { maxLength: 30 },
);

type LoginOp = { op: "hit" | "release" | "read" | "clear"; key: number } | { op: "advance"; ms: number };
const loginOps = fc.array(
  fc.oneof(
    fc.record({ op: fc.constantFrom("hit", "hit", "release", "read", "clear"), key: fc.nat(1) }),
    fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 2500 }) }),
  ),
  { maxLength: 30 },
) as fc.Arbitrary<LoginOp[]>;

async function runTakes(store: CounterStore, ns: string, ops: TakeOp[]) {
  let now = Date.UTC(2026, 0, 1);
  const out: unknown[] = [];
  for (const o of ops) {
    if (o.op === "advance") now += o.ms;
    else {
      const buckets = [...o.buckets].sort().map((i) => {
        const b = BUCKETS[i]!;
        return { key: `${ns}:${b.name}`, limit: b.limit, windowMs: b.windowMs };
      });
      out.push(await store.take(buckets, now));
    }
  }
  return out;
}

async function runLogin(store: LoginCounterStore, ns: string, ops: LoginOp[]) {
  let now = Date.UTC(2026, 0, 1);
  const out: unknown[] = [];
  for (const o of ops) {
    if (o.op === "advance") {
      now += o.ms;
      continue;
    }
    const k = LOGIN_KEYS[o.key]!;
    const key = `${ns}:${k.name}`;
    if (o.op === "hit") out.push(await store.hit(key, k.windowMs, k.limit, now));
    else if (o.op === "read") out.push(await store.read(key, now));
    else if (o.op === "release") await store.release(key, now);
    else await store.clear(key);
  }
  return out;
}

for (const dialect of ["sqlite", "postgres"] as DialectName[]) {
  describe(`the Redis counter stores answer exactly like the database ones [${dialect} vs redis]`, {
    skip: !redisReachable || (dialect === "postgres" && !pgUp),
  }, () => {
    let db: ReturnType<typeof openDb>;
    let drop: () => Promise<void>;
    let redis: Redis;
    const prefix = freshRedisPrefix();
    let n = 0;
    const runs = Math.round((dialect === "sqlite" ? 150 : 40) * scale);
    before(async () => {
      const fresh = await freshDatabase(dialect);
      drop = fresh.drop;
      db = openDb(fresh.url);
      await migrateToLatest(db);
      redis = await openRedis(REDIS_TEST_URL, prefix);
    });
    after(async () => {
      redis?.disconnect();
      await db?.close();
      await drop?.();
      await dropRedisPrefix(prefix);
    });

    it("cooldown and cap buckets: any sequence of takes and clock moves gives the same answers", async () => {
      const repos = repositories(db.kysely);
      await fc.assert(
        fc.asyncProperty(takeOps, async (ops) => {
          const ns = `t${++n}`;
          const fromDb = await runTakes(dbCounterStore(repos), ns, ops);
          const fromRedis = await runTakes(redisCounterStore(redis), ns, ops);
          assert.deepEqual(fromRedis, fromDb);
        }),
        { numRuns: runs },
      );
    });

    it("sign-in lockout counters: any sequence of hits, releases, reads, clears and clock moves gives the same answers", async () => {
      const repos = repositories(db.kysely);
      await fc.assert(
        fc.asyncProperty(loginOps, async (ops) => {
          const ns = `l${++n}`;
          const fromDb = await runLogin(dbLoginCounterStore(repos), ns, ops);
          const fromRedis = await runLogin(redisLoginCounterStore(redis), ns, ops);
          assert.deepEqual(fromRedis, fromDb);
        }),
        { numRuns: runs },
      );
    });

    it("management nonces: claimed once per access key on either store, whatever the interleaving", async () => {
      const repos = repositories(db.kysely);
      const clock = { now: () => Date.UTC(2026, 0, 1) };
      const claims = fc.array(fc.tuple(fc.constantFrom("k1", "k2"), fc.constantFrom("n1", "n2", "n3")), {
        maxLength: 20,
      });
      await fc.assert(
        fc.asyncProperty(claims, async (seq) => {
          const ns = `n${++n}`;
          const run = async (store: NonceStore) => {
            const out: boolean[] = [];
            for (const [key, nonce] of seq)
              out.push(await store.claim(`${ns}${key}`, nonce, clock.now() + 60_000));
            return out;
          };
          const fromDb = await run(databaseNonceStore(repos, clock));
          const fromRedis = await run(redisNonceStore(redis, clock));
          assert.deepEqual(fromRedis, fromDb);
          assert.deepEqual(
            fromDb,
            seq.map((x, i) => seq.findIndex((y) => y[0] === x[0] && y[1] === x[1]) === i),
          );
        }),
        { numRuns: Math.round(runs / 3) },
      );
    });
  });
}
