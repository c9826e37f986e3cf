// Bounded soak: the mixed workload for GATEHOUSE_SOAK_SECONDS (default 600) against
// SQLite (one node) and PostgreSQL (three nodes; with GATEHOUSE_SOAK_REDIS=1 also with Redis).
// Reports throughput, p50/p99, error rate (must be 0) and node memory (must level off), then
// checks that every acknowledged write is in the database. Not part of `npm test`:
//   npm run soak                                   # 10 minutes per target
//   GATEHOUSE_SOAK_SECONDS=60 npm run soak         # a short run
//   GATEHOUSE_SOAK_TARGETS=postgres npm run soak   # one target
import fs from "node:fs";
import path from "node:path";
import type { BootstrapInfo } from "../packages/server/src/services/admin/bootstrap.js";
import { openDb } from "../packages/server/src/storage/db.js";
import { type ServerNode, startCluster, startNode } from "../packages/server/test/helpers/cluster.js";
import { assertNothingLostOrHalfDone } from "../packages/server/test/helpers/durability.js";
import { freshDatabase, postgresAvailable } from "../packages/server/test/helpers/harness.js";
import { startWebhookReceiver } from "../packages/server/test/helpers/receivers.js";
import {
  dropRedisPrefix,
  freshRedisPrefix,
  REDIS_TEST_URL,
  redisAvailable,
} from "../packages/server/test/helpers/redis.js";
import { type LoadTarget, startWriteLoad } from "../packages/server/test/helpers/workload.js";

const SECONDS = Number(process.env.GATEHOUSE_SOAK_SECONDS ?? 600);
const TARGETS = (process.env.GATEHOUSE_SOAK_TARGETS ?? "sqlite,postgres").split(",").map((s) => s.trim());
if (process.env.GATEHOUSE_SOAK_REDIS === "1") TARGETS.push("postgres+redis");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

function codeReader(receiver: Receiver) {
  // Index by recipient and channel as messages arrive: the soak sends tens of thousands.
  const latest = new Map<string, string>();
  return async (to: string, channel: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const r of receiver.received.splice(0)) {
        const m = JSON.parse(r.body);
        if (m.code) latest.set(`${m.to}|${m.channel}`, m.code);
      }
      if (latest.size > 100_000) latest.clear();
      const code = latest.get(`${to}|${channel}`);
      if (code) {
        latest.delete(`${to}|${channel}`);
        return code;
      }
      if (Date.now() > deadline) return undefined;
      await sleep(10);
    }
  };
}

function rssMb(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Read traffic next to the writes: sign-in by password, profile, userinfo, refresh, send-email + pre-check. */
function startReadLoad(urls: () => string[], boot: BootstrapInfo, workers: number) {
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let requests = 0;
  let running = true;
  const pick = () => urls()[Math.floor(Math.random() * urls().length)];
  async function call(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
    form = false,
  ) {
    requests += 1;
    const t = performance.now();
    try {
      const res = await fetch(`${pick()}${route}`, {
        method,
        headers: {
          "x-authing-app-id": boot.appId,
          ...(body === undefined
            ? {}
            : { "content-type": form ? "application/x-www-form-urlencoded" : "application/json" }),
          ...headers,
        },
        body:
          body === undefined
            ? undefined
            : form
              ? new URLSearchParams(body as Record<string, string>)
              : JSON.stringify(body),
      });
      const json = res.headers.get("content-type")?.includes("json") ? await res.json() : {};
      latencies.push(performance.now() - t);
      const okay = route.startsWith("/oidc") ? res.status === 200 : json.statusCode === 200;
      if (!okay) {
        const key = `${route} ${res.status}/${json.statusCode ?? json.error}`;
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
      return okay ? json : undefined;
    } catch {
      errors.set(`${route} network`, (errors.get(`${route} network`) ?? 0) + 1);
      return undefined;
    }
  }
  async function worker(n: number) {
    const email = `soak-reader-${process.pid}-${n}@example.com`;
    const password = `Soak-reader-pw-${n}`;
    await call("POST", "/api/v3/signup", { connection: "PASSWORD", passwordPayload: { email, password } });
    let i = 0;
    while (running) {
      i += 1;
      const login = await call("POST", "/api/v3/signin", {
        connection: "PASSWORD",
        passwordPayload: { email, password },
        options: { scope: "openid profile offline_access" },
        client_id: boot.appId,
        client_secret: boot.appSecret,
      });
      if (!login) continue;
      const token = login.data.access_token as string;
      let refresh = login.data.refresh_token as string;
      for (let k = 0; k < 5 && running; k++) {
        await call("GET", "/api/v3/get-profile", undefined, { authorization: token });
        await call("GET", "/oidc/me", undefined, { authorization: `Bearer ${token}` });
      }
      const refreshed = await call(
        "POST",
        "/oidc/token",
        {
          grant_type: "refresh_token",
          refresh_token: refresh,
          client_id: boot.appId,
          client_secret: boot.appSecret,
        },
        {},
        true,
      );
      if (refreshed) refresh = refreshed.refresh_token;
      const to = `soak-${process.pid}-${n}-${i}@example.com`;
      await call("POST", "/api/v3/send-email", { channel: "CHANNEL_LOGIN", email: to });
      await call("POST", "/api/v3/pre-check-code", {
        codeType: "EMAIL",
        emailCodePayload: { email: to, passCode: "000000", channel: "CHANNEL_LOGIN" },
      });
    }
  }
  const done = Promise.allSettled(Array.from({ length: workers }, (_, n) => worker(n)));
  return {
    latencies,
    errors,
    get requests() {
      return requests;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function soak(target: string) {
  const redis = target === "postgres+redis";
  const dialect = target === "sqlite" ? "sqlite" : "postgres";
  const db = await freshDatabase(dialect);
  const prefix = freshRedisPrefix();
  let nodes: ServerNode[];
  let boot: BootstrapInfo;
  let receiver: Receiver;
  let close: () => Promise<void>;
  if (dialect === "sqlite") {
    receiver = await startWebhookReceiver();
    const node = await startNode({
      env: {
        GATEHOUSE_DATABASE_URL: db.url,
        GATEHOUSE_SMS_SENDER: "webhook",
        GATEHOUSE_EMAIL_SENDER: "webhook",
        GATEHOUSE_SMS_WEBHOOK_URL: receiver.url,
        GATEHOUSE_EMAIL_WEBHOOK_URL: receiver.url,
        GATEHOUSE_CODE_IP_HOURLY_LIMIT: "1000000000",
      },
    });
    nodes = [node];
    boot = JSON.parse(fs.readFileSync(path.join(node.dataDir, "bootstrap.json"), "utf8"));
    close = async () => {
      await node.stop();
      await receiver.close();
    };
  } else {
    const cluster = await startCluster({
      nodes: 3,
      databaseUrl: db.url,
      redis: redis ? { url: REDIS_TEST_URL, prefix } : undefined,
      env: { GATEHOUSE_CODE_IP_HOURLY_LIMIT: "1000000000" },
    });
    nodes = cluster.nodes;
    boot = cluster.boot;
    receiver = cluster.receiver;
    close = cluster.close;
  }

  const urls = () => nodes.map((n) => n.url);
  const loadTarget: LoadTarget = { urls, boot, codeFor: codeReader(receiver) };
  const writes = startWriteLoad(loadTarget, { workers: 2 });
  const reads = startReadLoad(urls, boot, 4);
  const memory: { t: number; mb: number[] }[] = [];
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    await sleep(Math.min(10_000, SECONDS * 100));
    memory.push({ t: (Date.now() - started) / 1000, mb: nodes.map((n) => rssMb(n.child.pid)) });
    const elapsed = (Date.now() - started) / 1000;
    process.stderr.write(
      `\r${target}: ${elapsed.toFixed(0)} s, ${writes.record.requests + reads.requests} requests`,
    );
  }
  const record = await writes.stop();
  await reads.stop();
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write("\n");

  const check = openDb(db.url);
  let durability: Record<string, number> | string;
  try {
    durability = await assertNothingLostOrHalfDone(check.kysely, record);
  } catch (err) {
    durability = `FAILED: ${(err as Error).message}`;
  } finally {
    await check.close();
  }
  await close();
  await db.drop();
  if (redis) await dropRedisPrefix(prefix);

  const latencies = [...record.latencies, ...reads.latencies];
  const requests = record.requests + reads.requests;
  const errors =
    [...record.refused.values(), ...reads.errors.values()].reduce((a, b) => a + b, 0) +
    record.networkFailures;
  // Memory: after the first fifth (warm-up), the growth of the second half vs the first half.
  const settled = memory.slice(Math.floor(memory.length / 5));
  const half = Math.floor(settled.length / 2);
  const avg = (xs: { mb: number[] }[]) =>
    xs.reduce((a, x) => a + Math.max(...x.mb), 0) / Math.max(1, xs.length);
  return {
    target,
    nodes: nodes.length,
    seconds: Math.round(seconds),
    requests,
    throughput: Math.round(requests / seconds),
    p50: Number(pct(latencies, 50).toFixed(1)),
    p99: Number(pct(latencies, 99).toFixed(1)),
    errors,
    errorDetail: Object.fromEntries([...record.refused, ...reads.errors]),
    signups: record.signups.size,
    phoneChanges: record.phoneChanges.length,
    memoryMb: {
      firstHalfAvg: Math.round(avg(settled.slice(0, half))),
      secondHalfAvg: Math.round(avg(settled.slice(half))),
      max: Math.round(Math.max(0, ...memory.flatMap((m) => m.mb))),
    },
    durability,
  };
}

const results = [];
for (const target of TARGETS) {
  if (target !== "sqlite" && !(await postgresAvailable())) {
    console.log(`skipping ${target}: PostgreSQL unreachable`);
    continue;
  }
  if (target === "postgres+redis" && !(await redisAvailable())) {
    console.log(`skipping ${target}: Redis unreachable`);
    continue;
  }
  results.push(await soak(target));
}

console.log(`\nSoak, ${SECONDS} s per target (${new Date().toISOString()})\n`);
console.log(
  "| target | nodes | requests | req/s | p50 ms | p99 ms | errors | memory MB (1st half → 2nd half, max) | writes checked |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of results) {
  const d =
    typeof r.durability === "string"
      ? r.durability
      : `${r.durability.signups} sign-ups, ${r.durability.tokensSpent} phone changes: all present`;
  console.log(
    `| ${r.target} | ${r.nodes} | ${r.requests} | ${r.throughput} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.memoryMb.firstHalfAvg} → ${r.memoryMb.secondHalfAvg}, ${r.memoryMb.max} | ${d} |`,
  );
}
fs.mkdirSync(".tmp", { recursive: true });
fs.writeFileSync(".tmp/soak.json", `${JSON.stringify(results, null, 2)}\n`);
const failed = results.some((r) => r.errors > 0 || typeof r.durability === "string");
if (failed) console.log("\nFAILED: errors or lost writes; details in .tmp/soak.json");
process.exit(failed ? 1 : 0);
