import { type Dialect, freshDatabase, vacuumStandIn } from "../gatehouse/database.js";
import { nullWebhook } from "../gatehouse/fixtures.js";
import { mfaScenarios } from "../gatehouse/mfa-scenarios.js";
import { permissionScenarios } from "../gatehouse/permission-scenarios.js";
import { scenariosFor } from "../gatehouse/scenarios.js";
import { seedUsers } from "../gatehouse/seed.js";
import { startGatehouse } from "../gatehouse/server.js";
import { type HttpScenario, type Log, measureHttp, type Row, type Settings } from "../lib/measure.js";
import { memoryOf, resetPeak } from "../lib/proc.js";
import { IDLE_SETTLE_SEC, type MemoryRecord } from "../lib/targets.js";

export interface GatehouseGroupOptions {
  settings: Settings;
  log: Log;
  profileDir?: string;
  threadpool?: string;
  nodeFlags?: string;
  /** Only scenarios whose name matches. */
  filter?: RegExp;
  /** requests/s of the V3 ceiling measured in this run. */
  v3Rps: number;
  /** hashes/s of the argon2id ceiling measured in this run. */
  argon2Rps: number;
}

/** Scenarios run a second time to see whether RSS grows (the rest cannot simply be repeated). */
const REPEATED = /:(get-profile|sign-in-password|sign-up|change-phone-pair|change-phone-pair@50%)$/;

/** RSS after a few idle seconds, so that both readings find the same garbage collected. */
async function settledRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 3000));
  return memoryOf(pid).rssMb;
}

/** Every Gatehouse scenario on one dialect, against one server on a fresh database of 1,000 users. */
export async function gatehouseGroup(
  dialect: Dialect,
  o: GatehouseGroupOptions,
): Promise<{ rows: Row[]; memory: MemoryRecord }> {
  const db = await freshDatabase(dialect, "gh");
  const webhook = await nullWebhook();
  let vacuum: { stop(): Promise<void> } | undefined;
  try {
    const seed = await seedUsers(db.url, 1000);
    vacuum = await vacuumStandIn(db, o.log);
    const server = await startGatehouse(db, {
      label: dialect,
      webhookUrl: webhook.url,
      profileDir: o.profileDir,
      threadpool: o.threadpool,
      nodeFlags: o.nodeFlags,
    });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const startMb = memoryOf(server.pid).rssMb;
      o.log(`  RSS ${startMb} MB after start; idle for ${IDLE_SETTLE_SEC} s`);
      await new Promise((r) => setTimeout(r, IDLE_SETTLE_SEC * 1000));
      const memory: MemoryRecord = {
        server: `gatehouse ${dialect}`,
        startMb,
        idleMb: memoryOf(server.pid).rssMb,
        peakMb: 0,
      };
      const env = {
        dialect,
        db,
        server,
        boot: seed.boot,
        users: seed.users,
        settings: o.settings,
        log: o.log,
        v3Rps: o.v3Rps,
        argon2Rps: o.argon2Rps,
      };
      const scenarios = await scenariosFor(env);
      scenarios.list.push(...(await permissionScenarios(env)), ...mfaScenarios(env));
      const rows: Row[] = [];
      const list = scenarios.list.filter((x) => !o.filter || o.filter.test(x.name));
      // VmHWM is reset before each scenario, so each row's peak is its own; the server's peak is the
      // largest of them and of what came before (start-up, the idle wait, preparing the scenarios).
      let peakMb = 0;
      const measure = (s: HttpScenario, settings: Settings) => {
        peakMb = Math.max(peakMb, resetPeak(server.pid));
        return measureHttp(s, settings, o.log);
      };
      for (const s of list) rows.push(await measure(s, o.settings));
      // A leak shows as RSS growing from one pass to the next; caches the first pass filled (SQLite's
      // page cache, V8's heap after growing) stay where they are. So the scenarios that read, hash
      // and write are run again (one window each) and RSS is read at the same point of both passes.
      const again = list.filter((s) => REPEATED.test(s.name));
      if (again.length > 0) {
        memory.firstMb = await settledRss(server.pid);
        o.log(`  again, one window each: ${again.map((s) => s.name).join(", ")}`);
        for (const s of again) await measure({ ...s, name: `${s.name} (again)` }, { ...o.settings, runs: 1 });
        memory.repeatMb = await settledRss(server.pid);
      }
      memory.peakMb = Math.max(peakMb, memoryOf(server.pid).peakMb);
      return { rows, memory };
    } finally {
      await server.stop();
    }
  } finally {
    await vacuum?.stop();
    await webhook.close();
    await db.drop();
  }
}

/** Sign-in and get-profile at scale (N users), compared with the 1k-user rows of the same dialect. */
export async function scaleGroup(dialect: Dialect, users: number, o: GatehouseGroupOptions): Promise<Row[]> {
  const label = users >= 1_000_000 ? `${users / 1_000_000}m` : `${Math.round(users / 1000)}k`;
  const db = await freshDatabase(dialect, `scale${label}`);
  try {
    const t = Date.now();
    const seed = await seedUsers(db.url, users);
    o.log(`  seeded ${users} users in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const server = await startGatehouse(db, {
      label: `${dialect}-${label}`,
      profileDir: o.profileDir,
      threadpool: o.threadpool,
      nodeFlags: o.nodeFlags,
    });
    try {
      const scenarios = await scenariosFor({
        dialect,
        db,
        server,
        boot: seed.boot,
        users,
        settings: o.settings,
        log: o.log,
        v3Rps: o.v3Rps,
        argon2Rps: o.argon2Rps,
        scale: label,
      });
      const rows: Row[] = [];
      for (const s of scenarios.list.filter((x) => !o.filter || o.filter.test(x.name)))
        rows.push(await measureHttp(s, o.settings, o.log));
      return rows;
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}
