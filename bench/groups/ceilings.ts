import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { promisify } from "node:util";
import { SignJWT } from "jose";
import { freshDatabase } from "../gatehouse/database.js";
import { nullWebhook } from "../gatehouse/fixtures.js";
import { BENCH_PASSWORD, seededUser, seedUsers } from "../gatehouse/seed.js";
import { startScriptNodeFlags } from "../gatehouse/server.js";
import type { RequestSpec } from "../lib/load-types.js";
import { type Log, measureHttp, median, type Row, type Settings, windowSec } from "../lib/measure.js";
import { freePort, type ServerProcess, spawnServer } from "../lib/proc.js";
import { PAIR_FLOOR, SIGN_IN_FLOOR, TOTP_FLOOR } from "../lib/targets.js";

const execFileAsync = promisify(execFile);
const script = (p: string) => new URL(p, import.meta.url).pathname;

export const FASTIFY_CEILING = "ceiling:fastify-json";
export const V3_CEILING = "ceiling:v3";
export const ARGON2_CEILING = "ceiling:argon2id";

async function expectOk(url: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
}

/**
 * Runs `bench/servers/<name>.ts` on a fresh SQLite file (`DB_FILE`; `seed` fills it first) for
 * `use`, then stops the server and drops the file.
 */
async function onBareServer<T>(
  name: string,
  opts: { env?: Record<string, string>; seed?: (dbUrl: string) => Promise<void>; nodeFlags?: string[] },
  use: (server: ServerProcess) => Promise<T>,
): Promise<T> {
  const db = await freshDatabase("sqlite", name);
  try {
    await opts.seed?.(db.url);
    const port = await freePort();
    const server = await spawnServer({
      name,
      args: [...(opts.nodeFlags ?? []), "--import", "tsx", script(`../servers/${name}.ts`)],
      env: { PORT: String(port), DB_FILE: db.url.replace(/^sqlite:/, ""), ...opts.env },
      port,
    });
    try {
      return await use(server);
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

export async function fastifyCeiling(settings: Settings, log: Log): Promise<Row> {
  const port = await freePort();
  const server = await spawnServer({
    name: "fastify",
    args: ["--import", "tsx", script("../servers/fastify-json.ts")],
    env: { PORT: String(port) },
    port,
  });
  try {
    return await measureHttp(
      {
        name: FASTIFY_CEILING,
        ceiling: FASTIFY_CEILING,
        pid: server.pid,
        url: server.url,
        verify: () => expectOk(`${server.url}/json`),
        job: async () => ({
          plan: { kind: "fixed", request: { method: "GET", path: "/json" } },
        }),
      },
      settings,
      log,
    );
  } finally {
    await server.stop();
  }
}

/**
 * RS256 verify (jose) + one prepared primary-key read of a seeded Gatehouse `users` table.
 * `name`: the row's name (the run measures it again before each Gatehouse group).
 */
export async function v3Ceiling(settings: Settings, log: Log, name = V3_CEILING): Promise<Row> {
  const users = 1000;
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let i = 0; i < users; i++) {
    tokens.push(
      await new SignJWT({ scope: "openid profile", jti: `jti-${i}` })
        .setProtectedHeader({ alg: "RS256", kid: "bench" })
        .setSubject(seededUser(i).id)
        .setIssuer("http://127.0.0.1/oidc")
        .setAudience("bench-app")
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(privateKey),
    );
  }
  return onBareServer(
    "v3-ceiling",
    {
      seed: (url) => seedUsers(url, users).then(() => {}),
      env: { PUBLIC_KEY_PEM: publicKey.export({ type: "spki", format: "pem" }).toString() },
    },
    (server) =>
      measureHttp(
        {
          name,
          ceiling: FASTIFY_CEILING,
          pid: server.pid,
          url: server.url,
          verify: () => expectOk(`${server.url}/me`, { authorization: tokens[0] }),
          job: async () => ({
            plan: {
              kind: "rotate",
              requests: tokens.map((t) => ({ method: "GET", path: "/me", headers: { authorization: t } })),
            },
            expect: '"id"',
          }),
        },
        settings,
        log,
      ),
  );
}

/**
 * The change-phone pair's least possible cost on this machine (servers/pair-floor.ts): the same
 * load generator and pair plan as Gatehouse's scenario, in pairs/s, against the V3 ceiling.
 */
export async function pairFloor(settings: Settings, log: Log): Promise<Row> {
  const webhook = await nullWebhook();
  try {
    // With the node flags Gatehouse runs with (its heap settings change what garbage costs), so
    // the two differ only by what the server does.
    const opts = { env: { WEBHOOK_URL: `${webhook.url}/notice` }, nodeFlags: startScriptNodeFlags() };
    return await onBareServer("pair-floor", opts, (server) => {
      const prepare = async (count: number) => {
        const res = await fetch(`${server.url}/prepare`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ count }),
        });
        const { code, tokens, pairs } = (await res.json()) as {
          code: string;
          tokens: string[];
          pairs: { user: number; from: string; to: string }[];
        };
        return pairs.map(
          (p): RequestSpec => ({
            method: "POST",
            path: "/step1",
            headers: { authorization: `Bearer ${tokens[p.user]}`, "content-type": "application/json" },
            body: JSON.stringify({ oldPhone: p.from, oldCode: code, newPhone: p.to, newCode: code }),
          }),
        );
      };
      return measureHttp(
        {
          name: PAIR_FLOOR,
          ceiling: V3_CEILING,
          pid: server.pid,
          url: server.url,
          requestsPerUnit: 2,
          job: async () => ({
            plan: {
              kind: "pair",
              // More than it can use (1,100–1,800 pairs/s measured on a 2-core Xeon).
              first: await prepare(
                Math.min(
                  40_000,
                  Math.ceil((settings.warmupSec + settings.runs * settings.durationSec) * 2400),
                ),
              ),
              second: {
                method: "POST",
                path: "/step2",
                headers: { "content-type": "application/json" },
                body: '{"updatePhoneToken":"{captured}"}',
              },
              capture: "data.updatePhoneToken",
            },
            expect: '"statusCode":200',
          }),
        },
        settings,
        log,
      );
    });
  } finally {
    await webhook.close();
  }
}

/**
 * A password sign-in's least possible cost on this machine (servers/sign-in-floor.ts): the same
 * load generator and settings as Gatehouse's sign-in scenario, against the argon2id ceiling.
 */
export async function signInFloor(settings: Settings, log: Log): Promise<Row> {
  const signIn = (i: number): RequestSpec => ({
    method: "POST",
    path: "/api/v3/signin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      connection: "PASSWORD",
      passwordPayload: { email: seededUser(i).email, password: BENCH_PASSWORD },
    }),
  });
  return onBareServer("sign-in-floor", { nodeFlags: startScriptNodeFlags() }, (server) =>
    measureHttp(
      {
        name: SIGN_IN_FLOOR,
        ceiling: ARGON2_CEILING,
        pid: server.pid,
        url: server.url,
        slow: true,
        job: async () => ({
          plan: { kind: "rotate", requests: Array.from({ length: 1000 }, (_, i) => signIn(i)) },
          expect: '"statusCode":200',
        }),
      },
      settings,
      log,
    ),
  );
}

/**
 * Users the TOTP floor is given: each is sent once per 30-second step (bench/lib/totp-users.ts), so
 * one step's worth of a rate above the most it reached (2,276/s on this 2-core machine).
 */
const totpFloorUsers = (settings: Settings) =>
  Math.min(
    40_000,
    Math.ceil(3000 * Math.min(30, settings.warmupSec + settings.runs * windowSec({}, settings))),
  );

/**
 * `mfa-totp-verify`'s least possible cost on this machine (servers/totp-floor.ts): the same load
 * generator and TOTP plan as Gatehouse's line, against the V3 ceiling.
 */
export async function totpFloor(settings: Settings, log: Log): Promise<Row> {
  return onBareServer("totp-floor", { nodeFlags: startScriptNodeFlags() }, async (server) => {
    const res = await fetch(`${server.url}/prepare`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: totpFloorUsers(settings) }),
    });
    const { users } = (await res.json()) as { users: { secret: string; token: string }[] };
    const request = (token: string): RequestSpec => ({
      method: "POST",
      path: "/api/v3/mfa-totp-verify",
      headers: { authorization: token, "content-type": "application/json" },
      body: JSON.stringify({ totp: "{totp}" }),
    });
    return measureHttp(
      {
        name: TOTP_FLOOR,
        ceiling: V3_CEILING,
        pid: server.pid,
        url: server.url,
        job: async () => ({
          plan: { kind: "totp", users: users.map((u) => ({ secret: u.secret, request: request(u.token) })) },
          expect: '"verified":true',
        }),
      },
      settings,
      log,
    );
  });
}

interface HashWindow {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** Raw argon2id hashes/s with Gatehouse's parameters, 2 in flight, in a process of its own. */
export async function argon2Ceiling(settings: Settings, log: Log, name = ARGON2_CEILING): Promise<Row> {
  const { stdout } = await execFileAsync(process.execPath, [
    "--import",
    "tsx",
    script("../lib/argon2-rate.ts"),
    String(settings.warmupSec),
    String(settings.runs),
    String(windowSec({ slow: true }, settings)),
    "2",
  ]);
  const out = JSON.parse(stdout) as { windows: HashWindow[]; rssMb: number };
  const w = out.windows;
  const row: Row = {
    name,
    rps: median(w.map((r) => r.rps)),
    p50Ms: median(w.map((r) => r.p50Ms)),
    p99Ms: median(w.map((r) => r.p99Ms)),
    errors: 0,
    rssBeforeMb: 0,
    rssMb: out.rssMb,
    peakRssMb: out.rssMb,
    ceiling: name,
    ratio: 0,
    runs: w.map((r) => Math.round(r.rps)),
  };
  log(
    `  ${row.name}: ${Math.round(row.rps)} hashes/s p50 ${row.p50Ms.toFixed(1)} ms windows [${row.runs.join(", ")}]`,
  );
  return row;
}
