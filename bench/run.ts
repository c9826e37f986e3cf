/**
 * `npm run bench` — Gatehouse against the ceilings of this machine and against Better Auth, in one
 * run, as ratios. Everything targets 127.0.0.1 and stops by itself.
 *
 *   npm run bench                      full run (a few minutes)
 *   npm run bench -- --quick           short runs, smaller scale test
 *   npm run bench -- --only sqlite     groups: ceilings (always run), better-auth, oidc, sqlite, postgres, scale, proxy
 *   npm run bench -- --filter 'sign-in'   only Gatehouse scenarios whose name matches (a regular expression)
 *   npm run bench -- --threadpool 8 --node-flags="--max-old-space-size=160"   try server settings
 *   npm run bench -- --profile         the Gatehouse servers write V8 CPU profiles to bench/results/profiles
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { dropAll, postgresReachable } from "./gatehouse/database.js";
import { betterAuthGroup } from "./groups/better-auth.js";
import {
  ARGON2_CEILING,
  argon2Ceiling,
  fastifyCeiling,
  pairFloor,
  signInFloor,
  totpFloor,
  V3_CEILING,
  v3Ceiling,
} from "./groups/ceilings.js";
import { gatehouseGroup, scaleGroup } from "./groups/gatehouse.js";
import { oidcFlowGroup } from "./groups/oidc-flow.js";
import { PROXY_DELAY_MS, proxyGroup } from "./groups/proxy.js";
import type { Row, Settings } from "./lib/measure.js";
import { killChildren } from "./lib/proc.js";
import { applyRatios, machineInfo, table, targetsTable, writeResults } from "./lib/report.js";
import { checkTargets, type MemoryRecord } from "./lib/targets.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    duration: { type: "string" },
    runs: { type: "string" },
    connections: { type: "string", default: "50" },
    only: { type: "string" },
    filter: { type: "string" },
    "scale-users": { type: "string" },
    profile: { type: "boolean", default: false },
    threadpool: { type: "string" },
    "node-flags": { type: "string" },
  },
});

const quick = values.quick!;
const settings: Settings = {
  quick,
  durationSec: Number(values.duration ?? (quick ? 2 : 5)),
  warmupSec: quick ? 1 : 2,
  runs: Number(values.runs ?? 3),
  connections: Number(values.connections),
};
const groups = new Set((values.only ?? "better-auth,oidc,sqlite,postgres,scale,proxy").split(","));
const scaleUsers = Number(values["scale-users"] ?? (quick ? 100_000 : 1_000_000));
const resultsDir = path.join(import.meta.dirname, "results");
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const loadStart = os.loadavg();
  const started = Date.now();
  const rows: Row[] = [];
  const memory: MemoryRecord[] = [];
  log(
    `Gatehouse bench (${quick ? "quick" : "full"}): ${settings.runs} × ${settings.durationSec} s, ${settings.connections} connections, load average ${loadStart.map((x) => x.toFixed(2)).join(" ")}`,
  );

  log("ceilings");
  rows.push(await fastifyCeiling(settings, log));
  rows.push(await v3Ceiling(settings, log));
  rows.push(await argon2Ceiling(settings, log));
  const filter = values.filter ? new RegExp(values.filter) : undefined;
  const runs = (scenario: string) =>
    ["sqlite", "postgres"].some((d) => groups.has(d) && (!filter || filter.test(`${d}:${scenario}`)));
  // Beside the change-phone pair, password sign-in and TOTP verification: the least each can cost
  // on this machine (servers/pair-floor.ts, servers/sign-in-floor.ts, servers/totp-floor.ts).
  if (runs("change-phone-pair")) rows.push(await pairFloor(settings, log));
  if (runs("sign-in-password") || runs("mfa-sign-in-password+totp"))
    rows.push(await signInFloor(settings, log));
  if (runs("mfa-totp-verify")) rows.push(await totpFloor(settings, log));

  if (groups.has("better-auth")) {
    log("better-auth");
    rows.push(...(await betterAuthGroup(settings, log)));
  }
  // What the command line sets for every Gatehouse server the bench starts.
  const serverSettings = {
    profileDir: values.profile ? path.join(resultsDir, "profiles") : undefined,
    threadpool: values.threadpool,
    nodeFlags: values["node-flags"],
  };
  if (groups.has("oidc")) {
    log("oidc code flow: oidc-provider, then gatehouse on sqlite");
    rows.push(...(await oidcFlowGroup(settings, log, serverSettings)));
  }
  const gh = { settings, log, ...serverSettings, filter };
  const dialects = (["sqlite", "postgres"] as const).filter((d) => groups.has(d));
  if ((dialects.includes("postgres") || groups.has("proxy")) && !(await postgresReachable())) {
    throw new Error("PostgreSQL is not reachable (set GATEHOUSE_BENCH_PG_URL, or --only without postgres)");
  }
  for (const dialect of dialects) {
    // The machine's speed drifts over a run of a quarter of an hour: each group is compared with
    // ceilings measured just before it, not with those of the start.
    log(`ceilings before the ${dialect} group`);
    const v3 = await v3Ceiling(settings, log, `${V3_CEILING}@${dialect}`);
    const argon2 = await argon2Ceiling(settings, log, `${ARGON2_CEILING}@${dialect}`);
    rows.push(v3, argon2);
    const local = (group: Row[]) =>
      group.map((r) => ({
        ...r,
        ceiling: { [V3_CEILING]: v3.name, [ARGON2_CEILING]: argon2.name }[r.ceiling] ?? r.ceiling,
      }));
    const o = { ...gh, v3Rps: v3.rps, argon2Rps: argon2.rps };
    log(`gatehouse on ${dialect}`);
    const r = await gatehouseGroup(dialect, o);
    rows.push(...local(r.rows));
    memory.push(r.memory);
    // Right after the 1k-user rows it is compared with, so the machine's load has moved least.
    if (groups.has("scale")) {
      log(`gatehouse on ${dialect} with ${scaleUsers} users`);
      rows.push(...local(await scaleGroup(dialect, scaleUsers, o)));
    }
  }

  if (groups.has("proxy")) {
    // Right after the postgres group (when it ran), whose lines these are read against.
    log("ceilings before the proxy group");
    const v3 = await v3Ceiling(settings, log, `${V3_CEILING}@proxy`);
    const argon2 = await argon2Ceiling(settings, log, `${ARGON2_CEILING}@proxy`);
    rows.push(v3, argon2);
    log(`gatehouse on postgres through a ${PROXY_DELAY_MS} ms-each-way proxy`);
    const group = await proxyGroup({ ...gh, v3Rps: v3.rps, argon2Rps: argon2.rps });
    rows.push(
      ...group.map((r) => ({
        ...r,
        ceiling: { [V3_CEILING]: v3.name, [ARGON2_CEILING]: argon2.name }[r.ceiling] ?? r.ceiling,
      })),
    );
  }

  applyRatios(rows);
  const checks = checkTargets(rows, memory);
  const machine = machineInfo(
    settings,
    loadStart,
    values.threadpool ?? process.env.UV_THREADPOOL_SIZE ?? "default",
    values["node-flags"] ?? "",
  );
  const files = writeResults(resultsDir, machine, rows, checks);
  log("");
  log(table(rows));
  log("");
  log(targetsTable(checks));
  log("");
  log(
    `wrote ${files.map((f) => path.relative(process.cwd(), f)).join(", ")} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted = true;
    killChildren();
    void dropAll().finally(() => process.exit(130));
  });
}

main()
  .catch(async (err) => {
    if (interrupted) return;
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    killChildren();
    await dropAll();
  });
