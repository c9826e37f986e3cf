import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import type { BootstrapInfo } from "../../src/services/admin/bootstrap.js";
import { mergePoolSettings, parsePoolSettings } from "../../src/services/users/pool-settings.js";
import { type Db, openDb } from "../../src/storage/db.js";
import { repositories } from "../../src/storage/repos/index.js";
import { ROW_CACHE_TTL_MS } from "../../src/storage/repos/row-cache.js";
import { gatehouseArgs } from "./cli-process.js";
import { freshDatabase } from "./harness.js";
import { startWebhookReceiver } from "./receivers.js";
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL } from "./redis.js";
import { waitUntil } from "./wait.js";

/** The master key every node of a test cluster is started with. */
export const CLUSTER_SECRET = "cluster-test-secret-0123456789abcdef-0123";

/** Longer than a node keeps a pool row cached (the nodes are other processes: nothing to poll). */
const POOL_CACHE_WAIT_MS = ROW_CACHE_TTL_MS + 100;

/** Every server process any test started, killed if the test process dies first. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface ServerNode {
  /** `http://127.0.0.1:<port>` of the current process (a restart keeps the port). */
  url: string;
  child: ChildProcess;
  dataDir: string;
  /** Everything the process wrote to stdout and stderr, over all its restarts. */
  output(): string;
  /** Resolves with the exit code (or the signal name) when the current process ends. */
  exited: Promise<number | string>;
  /** SIGTERM and wait: the exit code. */
  stop(): Promise<number | string>;
  /** SIGKILL and wait (a crash). */
  crash(): Promise<void>;
  /** Start the process again on the same port and data directory. */
  restart(): Promise<void>;
  /** POST/GET an /api/v3 route as the default application; the parsed envelope. */
  api(method: "GET" | "POST", route: string, body?: unknown, headers?: Record<string, string>): Promise<any>;
}

export interface NodeOptions {
  env: Record<string, string>;
  /** Port to listen on (0: any free one). */
  port?: number;
  dataDir?: string;
  /** The default application's id, for `api()`; filled in from bootstrap.json when omitted. */
  appId?: string;
}

/** Starts `gatehouse start` (the CLI from source) and resolves once it listens. */
export async function startNode(options: NodeOptions): Promise<ServerNode> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-node-"));
  let out = "";
  let appId = options.appId;
  const node = {} as ServerNode;

  const launch = (port: number) => {
    const child = spawn(process.execPath, gatehouseArgs("start"), {
      env: {
        ...process.env,
        NODE_ENV: "production",
        GATEHOUSE_HOST: "127.0.0.1",
        GATEHOUSE_PORT: String(port),
        GATEHOUSE_DATA_DIR: dataDir,
        GATEHOUSE_LOG_LEVEL: "info",
        // One issuer for every node and every restart (the default follows the port).
        GATEHOUSE_PUBLIC_URL: "http://gatehouse.test",
        // Test loads sign up and send codes by the thousand into one pool, mostly from 127.0.0.1.
        GATEHOUSE_SMS_POOL_HOURLY_LIMIT: "1000000000",
        GATEHOUSE_EMAIL_POOL_HOURLY_LIMIT: "1000000000",
        GATEHOUSE_SIGNUP_IP_HOURLY_LIMIT: "1000000000",
        GATEHOUSE_SIGNUP_POOL_HOURLY_LIMIT: "1000000000",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    const exited = new Promise<number | string>((resolve) =>
      child.on("exit", (code, signal) => {
        running.delete(child);
        resolve(code ?? signal ?? "unknown");
      }),
    );
    const listening = new Promise<string>((resolve, reject) => {
      let startup = "";
      let up = false;
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${startup}`)), 60_000);
      const onData = (d: Buffer) => {
        out += d;
        // A long run (the soak) must not hold every log line: keep the last few megabytes.
        if (out.length > 8_000_000) out = out.slice(-4_000_000);
        if (up) return;
        startup += d;
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*Gatehouse is listening/.exec(startup);
        if (m) {
          up = true;
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening:\n${startup}`));
      });
    });
    return { child, exited, listening };
  };

  const boot = async (port: number) => {
    const p = launch(port);
    node.child = p.child;
    node.exited = p.exited;
    node.url = await p.listening;
    appId ??= readBootstrap(dataDir).appId;
  };

  Object.assign(node, {
    dataDir,
    output: () => out,
    async stop() {
      node.child.kill("SIGTERM");
      return node.exited;
    },
    async crash() {
      node.child.kill("SIGKILL");
      await node.exited;
    },
    async restart() {
      await boot(Number(new URL(node.url).port));
    },
    async api(method, route, body, headers = {}) {
      const res = await fetch(`${node.url}${route}`, {
        method,
        headers: {
          "x-authing-app-id": appId ?? "",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (res.status !== 200)
        throw new Error(`${method} ${route} answered HTTP ${res.status}: ${await res.text()}`);
      return res.json();
    },
  } satisfies Partial<ServerNode>);
  await boot(options.port ?? 0);
  return node;
}

export function readBootstrap(dataDir: string): BootstrapInfo {
  return JSON.parse(fs.readFileSync(path.join(dataDir, "bootstrap.json"), "utf8"));
}

export interface ClusterOptions {
  nodes: number;
  databaseUrl: string;
  /** Shared counters in Redis. */
  redis?: { url: string; prefix: string };
  env?: Record<string, string>;
}

/**
 * N server processes on their own ports sharing one database (and optionally one Redis). SMS and
 * email go to one webhook receiver the test reads codes from. Client IPs come from
 * x-forwarded-for (GATEHOUSE_TRUST_PROXY), so a test can speak from many addresses.
 */
export async function startCluster(options: ClusterOptions) {
  const receiver = await startWebhookReceiver();
  const env: Record<string, string> = {
    GATEHOUSE_DATABASE_URL: options.databaseUrl,
    GATEHOUSE_SMS_SENDER: "webhook",
    GATEHOUSE_EMAIL_SENDER: "webhook",
    GATEHOUSE_SMS_WEBHOOK_URL: receiver.url,
    GATEHOUSE_EMAIL_WEBHOOK_URL: receiver.url,
    GATEHOUSE_TRUST_PROXY: "true",
    GATEHOUSE_CODE_TARGET_HOURLY_LIMIT: "1000",
    GATEHOUSE_CODE_IP_HOURLY_LIMIT: "100000",
    // Nodes sharing a database share its master key (docs/security.md §The master key).
    GATEHOUSE_SECRET: CLUSTER_SECRET,
    ...(options.redis
      ? { GATEHOUSE_REDIS_URL: options.redis.url, GATEHOUSE_REDIS_KEY_PREFIX: options.redis.prefix }
      : {}),
    ...options.env,
  };
  // All at once on an empty database: migrations and the first-start bootstrap must agree.
  const nodes = await Promise.all(Array.from({ length: options.nodes }, () => startNode({ env })));
  const db: Db = openDb(options.databaseUrl);
  const boot = readBootstrap(nodes[0]!.dataDir);

  const messages = () =>
    receiver.received.map(
      (r) => JSON.parse(r.body) as { kind: string; to: string; channel?: string; code?: string },
    );

  return {
    nodes,
    env,
    boot,
    db,
    receiver,
    /** The latest code delivered to `to` (E.164 phone or email) on `channel`, waiting up to 5 s. */
    async codeFor(to: string, channel: string): Promise<string> {
      let code: string | undefined;
      const delivered = () => {
        code = messages()
          .filter((x) => x.to === to && x.channel === channel && x.code)
          .at(-1)?.code;
        return code !== undefined;
      };
      if (!(await waitUntil(delivered)) || code === undefined)
        throw new Error(`no code for ${to} on ${channel}`);
      return code;
    },
    /** How many code messages reached `to`. */
    deliveredTo: (to: string) => messages().filter((x) => x.to === to && x.code).length,
    /** Deep-merge into the default pool's stored settings (every node reads them per request). */
    async patchPoolSettings(patch: Record<string, unknown>): Promise<void> {
      const repos = repositories(db.kysely);
      const pool = await repos.pools.findPoolById(boot.userPoolId);
      if (!pool) throw new Error("default pool missing");
      const next = mergePoolSettings(parsePoolSettings(pool.settings), patch);
      await repos.pools.updatePoolSettings(pool.id, JSON.stringify(next), Date.now());
      // Each node keeps pool rows up to ROW_CACHE_TTL_MS (storage/repos/row-cache.ts): wait until all see it.
      await new Promise((resolve) => setTimeout(resolve, POOL_CACHE_WAIT_MS));
    },
    /** Everything every node logged. */
    output: () => nodes.map((n) => n.output()).join("\n"),
    async close() {
      await Promise.all(
        nodes.map((n) => (n.child.exitCode === null && n.child.signalCode === null ? n.stop() : undefined)),
      );
      await db.close();
      await receiver.close();
      for (const n of nodes) fs.rmSync(n.dataDir, { recursive: true, force: true });
    },
  };
}
export type Cluster = Awaited<ReturnType<typeof startCluster>>;

/**
 * Three nodes on a fresh PostgreSQL database (and Redis under a fresh key prefix when asked),
 * started before the suite's tests and removed after them. Call inside `describe`; the returned
 * function gives the running cluster inside tests.
 */
export function clusterForSuite(options: { redis: boolean }): () => Cluster {
  let cluster: Cluster | undefined;
  let drop: (() => Promise<void>) | undefined;
  const prefix = freshRedisPrefix();
  before(async () => {
    const db = await freshDatabase("postgres");
    drop = db.drop;
    cluster = await startCluster({
      nodes: 3,
      databaseUrl: db.url,
      redis: options.redis ? { url: REDIS_TEST_URL, prefix } : undefined,
    });
  });
  after(async () => {
    await cluster?.close();
    await drop?.();
    if (options.redis) await dropRedisPrefix(prefix);
  });
  return () => {
    if (!cluster) throw new Error("the cluster starts in before(): use it inside tests");
    return cluster;
  };
}
