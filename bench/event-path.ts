/**
 * The event path's CPU per event, without HTTP in front or a password hash beside it: events
 * written as a sign-up writes `register` (one at a time, a few ms apart), fanned out and delivered
 * by the worker to `--hooks` webhooks on a receiver in a process of its own, until every delivery
 * has arrived. Prints this process's CPU per event (emit, fan-out, deliveries); compare
 * `--hooks 0` with `--hooks 2` in the same minute (docs/performance.md, "The event path").
 *
 *   npm run build && node --import tsx bench/event-path.ts --dialect sqlite --hooks 2 --events 500
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { parseArgs } from "node:util";
import { createContext } from "@gatehouse/server/dist/context.js";
import { ensureBootstrap } from "@gatehouse/server/dist/services/admin/bootstrap.js";
import { NO_REQUEST } from "@gatehouse/server/dist/services/events/scope.js";
import { sql } from "kysely";
import { benchConfig } from "./gatehouse/bench-context.js";
import { type Dialect, freshDatabase } from "./gatehouse/database.js";

const { values } = parseArgs({
  options: {
    dialect: { type: "string", default: "sqlite" },
    hooks: { type: "string", default: "2" },
    events: { type: "string", default: "500" },
    // Between one event's write and the next: 3 ms is a burst; 12 ms is sign-up's rate on PostgreSQL.
    gap: { type: "string", default: "3" },
  },
});
const dialect = values.dialect as Dialect;
const hooks = Number(values.hooks);
const count = Number(values.events);
const gapMs = Number(values.gap);

// The receiver answers 204 and counts; on request it says how many it got.
const receiver = spawn(
  process.execPath,
  [
    "-e",
    `const http=require("node:http");let n=0;
     const s=http.createServer((q,r)=>{q.resume();q.on("end",()=>{n++;r.writeHead(204).end();});});
     s.listen(0,"127.0.0.1",()=>process.send({port:s.address().port}));
     process.on("message",()=>process.send({n}));process.on("disconnect",()=>process.exit(0));`,
  ],
  { stdio: ["ignore", "inherit", "inherit", "ipc"] },
);
const ask = <T>(): Promise<T> => new Promise((resolve) => receiver.once("message", (m) => resolve(m as T)));
const { port } = await ask<{ port: number }>();
const received = async () => {
  const answer = ask<{ n: number }>();
  receiver.send("n");
  return (await answer).n;
};

const db = await freshDatabase(dialect, "event-path");
try {
  const config = benchConfig(db, { webhookAllowPrivate: true });
  const ctx = await createContext(config);
  const { info } = await ensureBootstrap(ctx.db.kysely, ctx.keys.box, ctx.clock, config.publicUrl);
  const poolId = info.userPoolId;
  for (let i = 0; i < hooks; i++) {
    await ctx.events.webhooks.create(poolId, {
      name: `bench ${i + 1}`,
      url: `http://127.0.0.1:${port}/hook`,
      contentType: "application/json",
      events: ["register"],
    });
  }
  ctx.events.worker.start();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const emit = (i: number) =>
    ctx.events.emit(ctx.repos, NO_REQUEST, {
      poolId,
      name: "register",
      userId: `user-${i}`,
      data: {
        userId: `user-${i}`,
        email: `user-${i}@bench.test`,
        nickname: "Bench user",
        photo: "",
        loginsCount: 0,
        status: "Activated",
        createdAt: new Date().toISOString(),
      },
    });
  const run = async (from: number, n: number) => {
    const before = await received();
    for (let i = 0; i < n; i++) {
      await emit(from + i);
      await sleep(gapMs);
    }
    await ctx.events.worker.drain();
    for (let k = 0; k < 500 && (await received()) - before < n * hooks; k++) await sleep(20);
    return (await received()) - before;
  };
  // PostgreSQL: the CPU of this database's backends (on two cores their work competes with the
  // server's), read from /proc, and the bytes the webhook tables grew by.
  const backends = async (): Promise<Map<number, number>> => {
    const r = await sql<{
      pid: number;
    }>`select pid from pg_stat_activity where datname = current_database()`.execute(ctx.db.kysely);
    const ticks = new Map<number, number>();
    for (const { pid } of r.rows) {
      try {
        const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
        ticks.set(pid, Number(f[11]) + Number(f[12]));
      } catch {}
    }
    return ticks;
  };
  const tableBytes = async (): Promise<number> => {
    const r = await sql<{
      n: string;
    }>`select pg_total_relation_size('webhook_logs') + pg_total_relation_size('webhook_deliveries') + pg_total_relation_size('events') as n`.execute(
      ctx.db.kysely,
    );
    return Number(r.rows[0]!.n);
  };
  await run(0, 200); // warm-up
  const pgBefore = dialect === "postgres" ? await backends() : undefined;
  const bytesBefore = dialect === "postgres" ? await tableBytes() : 0;
  const trips = ctx.db.roundTrips?.count;
  const cpu = process.cpuUsage();
  const delivered = await run(1_000_000, count);
  const used = process.cpuUsage(cpu);
  const ms = (used.user + used.system) / 1000;
  const tripsUsed = trips === undefined ? undefined : ctx.db.roundTrips!.count - trips;
  let pgLine = "";
  if (pgBefore) {
    const after = await backends();
    let ticks = 0;
    for (const [pid, t] of after) ticks += t - (pgBefore.get(pid) ?? 0);
    const tick = 1000 / 100; // ms per clock tick (CLK_TCK 100)
    const bytes = (await tableBytes()) - bytesBefore;
    pgLine = `; PostgreSQL backends ${((ticks * tick) / count).toFixed(2)} ms of CPU per event, tables +${Math.round(bytes / count)} bytes per event`;
  }
  // PostgreSQL: statements per event, the emit's own insert included (deterministic but for batching).
  const perEvent = tripsUsed === undefined ? "" : `, ${(tripsUsed / count).toFixed(2)} statements per event`;
  console.log(
    `${dialect}: ${count} events ${gapMs} ms apart, ${hooks} webhooks, ${delivered} deliveries: ${(ms / count).toFixed(2)} ms of CPU per event${perEvent}${pgLine}`,
  );
  await ctx.events.worker.stop();
  await ctx.close();
} finally {
  receiver.disconnect();
  await db.drop();
}
