/**
 * Seeds N users into a Gatehouse database through the server's own storage layer (migrations,
 * Kysely schema, bootstrap), in batched multi-row inserts inside transactions: 1,000,000 users
 * take about a minute on SQLite. Every user has the same (precomputed) argon2id password hash.
 *
 *   node --import tsx bench/gatehouse/seed.ts --database-url sqlite:/tmp/x.db --users 1000000
 */
import { parseArgs } from "node:util";
import { systemClock } from "@gatehouse/server/dist/lib/clock.js";
import type { BootstrapInfo } from "@gatehouse/server/dist/services/admin/bootstrap.js";
import { ensureBootstrap } from "@gatehouse/server/dist/services/admin/bootstrap.js";
import { loadServerKeys } from "@gatehouse/server/dist/services/tokens/server-keys.js";
import { identifierKey } from "@gatehouse/server/dist/services/users/identifiers.js";
import { openDb } from "@gatehouse/server/dist/storage/db.js";
import { migrateToLatest } from "@gatehouse/server/dist/storage/migrate.js";
import { repositories } from "@gatehouse/server/dist/storage/repos/index.js";
import type { NewUserRow } from "@gatehouse/server/dist/storage/repos/users.js";
import { hash } from "@node-rs/argon2";
import { BENCH_SECRET } from "./server.js";

export const BENCH_PASSWORD = "Bench-passw0rd!";

/** Gatehouse's argon2id parameters (OWASP): m=19456 KiB, t=2, p=1. */
/** `algorithm: 2` is Argon2id (a const enum in @node-rs/argon2's types). */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** The i-th seeded user's identifiers: monotonic so that index inserts append. */
export function seededUser(i: number) {
  const n = String(i).padStart(8, "0");
  return {
    id: `be${i.toString(16).padStart(22, "0")}`,
    username: `user${n}`,
    email: `user${n}@bench.test`,
    /** China mobile numbers, E.164 (the pool's default country code is +86). */
    phone: `+86138${n}`,
    phoneNational: `138${n}`,
  };
}

export interface SeedResult {
  boot: BootstrapInfo;
  users: number;
  seconds: number;
}

export async function seedUsers(
  databaseUrl: string,
  users: number,
  opts: {
    publicUrl?: string;
    log?: (line: string) => void /** first user index (default 0) */;
    from?: number;
  } = {},
): Promise<SeedResult> {
  const started = Date.now();
  const db = openDb(databaseUrl);
  try {
    await migrateToLatest(db);
    // The secrets are sealed under the bench's GATEHOUSE_SECRET, as the server it starts will expect.
    const { box } = await loadServerKeys(repositories(db.kysely), {
      configuredSecret: BENCH_SECRET,
      dataDir: ".",
    });
    const { info: boot } = await ensureBootstrap(
      db.kysely,
      box,
      systemClock,
      opts.publicUrl ?? "http://127.0.0.1",
    );
    const passwordHash = await hash(BENCH_PASSWORD, ARGON2_OPTIONS);
    const rowsPerInsert = 1000;
    const insertsPerTransaction = 20;
    const now = Date.now();
    const from = opts.from ?? 0;
    const end = from + users;
    let done = from;
    while (done < end) {
      await db.kysely.transaction().execute(async (trx) => {
        for (let k = 0; k < insertsPerTransaction && done < end; k++) {
          const rows: NewUserRow[] = [];
          for (let j = 0; j < rowsPerInsert && done < end; j++, done++) {
            const u = seededUser(done);
            rows.push({
              id: u.id,
              pool_id: boot.userPoolId,
              status: "Activated",
              username: u.username,
              username_key: identifierKey(u.username),
              email: u.email,
              email_key: identifierKey(u.email),
              email_verified: 1,
              phone: u.phone,
              phone_verified: 1,
              password_hash: passwordHash,
              password_security_level: 2,
              password_last_set_at: now,
              gender: "U",
              source_type: "register",
              logins_count: 0,
              reset_password_on_next_login: 0,
              created_at: now,
              updated_at: now,
            });
          }
          await trx.insertInto("users").values(rows).execute();
        }
      });
      if (opts.log && done % 100_000 === 0) opts.log(`seeded ${done} users`);
    }
    if (db.dialect === "postgres")
      await db.kysely.executeQuery({ sql: "ANALYZE users", parameters: [] } as any);
    return { boot, users, seconds: (Date.now() - started) / 1000 };
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { "database-url": { type: "string" }, users: { type: "string", default: "1000" } },
  });
  if (!values["database-url"]) {
    console.error("usage: seed.ts --database-url <sqlite:path|postgres://…> --users N");
    process.exit(2);
  }
  const r = await seedUsers(values["database-url"], Number(values.users), { log: console.log });
  console.log(`seeded ${r.users} users in ${r.seconds.toFixed(1)} s (pool ${r.boot.userPoolId})`);
}
