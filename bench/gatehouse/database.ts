import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export type Dialect = "sqlite" | "postgres";

/** Admin connection used to create and drop the per-run databases. Local only. */
export const PG_ADMIN_URL =
  process.env.GATEHOUSE_BENCH_PG_URL ??
  process.env.GATEHOUSE_TEST_PG_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

export interface FreshDatabase {
  dialect: Dialect;
  url: string;
  /** Directory for the server's data dir, logs and (SQLite) the database file. */
  dir: string;
  drop(): Promise<void>;
}

const live = new Set<FreshDatabase>();

/** Drops every database this run created and still holds (on Ctrl-C or a failure). */
export async function dropAll(): Promise<void> {
  for (const db of [...live]) await db.drop().catch(() => {});
}

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

function assertLocal(url: string) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`the benchmark only uses a local PostgreSQL, not ${host}`);
  }
}

/** A new, empty database for one run: a temp file for SQLite, `CREATE DATABASE` for PostgreSQL. */
export async function freshDatabase(dialect: Dialect, label: string): Promise<FreshDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gatehouse-bench-${label}-`));
  let url: string;
  let dropDb = async () => {};
  if (dialect === "sqlite") {
    url = `sqlite:${path.join(dir, "gatehouse.db")}`;
  } else {
    assertLocal(PG_ADMIN_URL);
    const name = `gh_bench_${label.replace(/\W/g, "_")}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    dropDb = async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const db: FreshDatabase = {
    dialect,
    url,
    dir,
    drop: async () => {
      live.delete(db);
      await dropDb();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(db);
  return db;
}

/**
 * What autovacuum does in a deployment, for a PostgreSQL whose autovacuum is off (the test
 * server's is): `VACUUM (ANALYZE)` of the bench's database every `everyMs` while a group runs.
 * Without it every update and spent row stays a dead tuple for the whole run, the tables' index
 * scans walk more of them minute by minute, and the planner never learns the tables grew — the
 * PostgreSQL lines fell by half over a group (docs/performance.md, "PostgreSQL without
 * autovacuum"). Nothing when autovacuum is on; stop() waits for a vacuum under way.
 */
export async function vacuumStandIn(
  db: FreshDatabase,
  log: (line: string) => void,
  everyMs = 15_000,
): Promise<{ stop(): Promise<void> }> {
  if (db.dialect !== "postgres") return { stop: async () => {} };
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query<{ autovacuum: string }>("SHOW autovacuum");
  if (rows[0]?.autovacuum === "on") {
    await client.end();
    return { stop: async () => {} };
  }
  log(
    `  PostgreSQL's autovacuum is off: the bench vacuums and analyzes its database every ${everyMs / 1000} s`,
  );
  // After the seeding, as autovacuum's analyze would: the planner then knows the tables' sizes.
  let running: Promise<unknown> = client.query("VACUUM (ANALYZE)").catch(() => {});
  const timer = setInterval(() => {
    running = running.then(() => client.query("VACUUM (ANALYZE)").catch(() => {}));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await client.end();
    },
  };
}
