import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { findUserByEmail, findUserByUsername, newUserRow } from "../../src/services/users/identifiers.js";
import { type Db, isUniqueViolation, openDb } from "../../src/storage/db.js";
import { migrateTo, migrateToLatest } from "../../src/storage/migrate.js";
import type { IdentifierKeyCollision } from "../../src/storage/migrations/0006-identifier-keys.js";
import { repositories } from "../../src/storage/repos/index.js";
import { writingUsers } from "../../src/storage/sqlite/user-rows.js";
import { freshDatabase, postgresAvailable } from "../helpers/harness.js";

/**
 * Migration 0006 on a database made with the schema before it (0001-0005), holding users the old
 * `lower(…)` indexes let in side by side: each pair shares a key now, the older account keeps it.
 */

const pgUp = await postgresAvailable();

/** The users of the old database; `at` orders them (older first). */
const USERS = [
  { id: "u-strasse", pool: "p1", at: 500, username: "Straße", email: "straße@example.com" },
  { id: "u-admin", pool: "p1", at: 1000, username: "admin", email: null },
  { id: "u-admin-fw", pool: "p1", at: 2000, username: "ａdmin", email: "admin-fw@example.com" },
  { id: "u-strasse-2", pool: "p1", at: 3000, username: "STRASSE", email: "strasse@example.com" },
  { id: "u-zoe", pool: "p1", at: 4000, username: "Zoë", email: "Zoë@Example.com" },
  { id: "u-phone", pool: "p1", at: 5000, username: null, email: null },
  { id: "u-admin-p2", pool: "p2", at: 6000, username: "ADMIN", email: "straße@example.com" },
];

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`migration 0006-identifier-keys [${dialect}]`, () => {
    if (dialect === "postgres" && !pgUp) return;
    let drop: () => Promise<void>;
    let db: Db;
    const warnings: IdentifierKeyCollision[] = [];
    const log = { identifierKeyCollision: (c: IdentifierKeyCollision) => warnings.push(c) };
    const keysOf = async () =>
      Object.fromEntries(
        (
          await db.kysely
            .selectFrom("users")
            .select(["id", "username_key", "email_key"])
            .orderBy("id")
            .execute()
        ).map((r) => [r.id, [r.username_key, r.email_key]]),
      );

    before(async () => {
      const fresh = await freshDatabase(dialect);
      drop = fresh.drop;
      db = openDb(fresh.url);
      await migrateTo(db, "0005-profile", log);
      for (const pool of ["p1", "p2"]) {
        await sql`INSERT INTO user_pools (id, name, secret, settings, created_at, updated_at)
          VALUES (${pool}, ${pool}, 's', '{}', 0, 0)`.execute(db.kysely);
      }
      // The schema of 0005 has no key columns: rows as an older Gatehouse wrote them.
      await writingUsers(db.kysely, async () => {
        for (const u of USERS) {
          await sql`INSERT INTO users (id, pool_id, username, email, phone, created_at, updated_at)
            VALUES (${u.id}, ${u.pool}, ${u.username}, ${u.email}, ${u.id === "u-phone" ? "+8613800138000" : null}, ${u.at}, ${u.at})`.execute(
            db.kysely,
          );
        }
      });
      assert.ok((await migrateToLatest(db, log)).includes("0006-identifier-keys"));
    });
    after(async () => {
      await db?.close();
      await drop?.();
    });

    it("backfills every key with identifierKey; a key two users share stays with the older", async () => {
      assert.deepEqual(await keysOf(), {
        "u-admin": ["admin", null],
        "u-admin-fw": [null, "admin-fw@example.com"],
        "u-admin-p2": ["admin", "strasse@example.com"],
        "u-phone": [null, null],
        "u-strasse": ["strasse", "strasse@example.com"],
        "u-strasse-2": [null, null],
        "u-zoe": ["zoë", "zoë@example.com"],
      });
    });

    it("reports each user left without a key, naming the one who keeps it", () => {
      assert.deepEqual(
        [...warnings].sort((a, b) => `${a.userId}${a.column}`.localeCompare(`${b.userId}${b.column}`)),
        [
          { poolId: "p1", userId: "u-admin-fw", column: "username", ownerId: "u-admin" },
          { poolId: "p1", userId: "u-strasse-2", column: "email", ownerId: "u-strasse" },
          { poolId: "p1", userId: "u-strasse-2", column: "username", ownerId: "u-strasse" },
        ],
      );
    });

    it("the stored usernames and emails are left as they were", async () => {
      const rows = await db.kysely.selectFrom("users").select(["id", "username", "email"]).execute();
      for (const u of USERS) {
        const row = rows.find((r) => r.id === u.id);
        assert.deepEqual([row?.username, row?.email], [u.username, u.email], u.id);
      }
    });

    it("lookups go through the keys: any form of an identifier finds its owner, per pool", async () => {
      const repos = repositories(db.kysely);
      assert.equal((await findUserByUsername(repos, "p1", "ＡＤＭＩＮ"))?.id, "u-admin");
      assert.equal((await findUserByUsername(repos, "p2", "admin"))?.id, "u-admin-p2");
      assert.equal((await findUserByUsername(repos, "p1", "strasse"))?.id, "u-strasse");
      assert.equal((await findUserByEmail(repos, "p1", "STRASSE@example.com"))?.id, "u-strasse");
      assert.equal((await findUserByUsername(repos, "p1", "ZOË"))?.id, "u-zoe");
    });

    it("the key columns are unique per pool; the old lower() indexes are gone", async () => {
      const insert = (id: string, pool: string, username: string) =>
        writingUsers(db.kysely, () =>
          db.kysely
            .insertInto("users")
            .values({ ...newUserRow(pool, 0, { username }), id })
            .execute(),
        );
      await assert.rejects(insert("dup", "p1", "Admin"), (e) => isUniqueViolation(e));
      await insert("fresh", "p1", "fresh-name");
      const names =
        dialect === "sqlite"
          ? (
              await sql<{
                name: string;
              }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'`.execute(
                db.kysely,
              )
            ).rows
          : (
              await sql<{
                name: string;
              }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'users'`.execute(db.kysely)
            ).rows;
      const set = new Set(names.map((n) => n.name));
      assert.ok(set.has("users_pool_email_key") && set.has("users_pool_username_key"), [...set].join());
      assert.ok(!set.has("users_pool_email") && !set.has("users_pool_username"), [...set].join());
    });

    it("sign-in's lookups by username and by email key are served by the key indexes", async () => {
      for (const [column, index] of [
        ["username_key", "users_pool_username_key"],
        ["email_key", "users_pool_email_key"],
      ] as const) {
        const plan = await planOf(
          db,
          sql`SELECT * FROM users WHERE pool_id = 'p1' AND ${sql.ref(column)} = 'admin'`,
        );
        assert.match(plan, new RegExp(index), plan);
        if (db.dialect === "postgres") assert.match(plan, new RegExp(`Index Cond: .*${column}`), plan);
      }
    });
  });
}

/** The query plan as text; PostgreSQL is told to avoid a sequential scan, as it would on a big table. */
async function planOf(db: Db, query: ReturnType<typeof sql>): Promise<string> {
  if (db.dialect === "sqlite") {
    const r = await sql<{ detail: string }>`EXPLAIN QUERY PLAN ${query}`.execute(db.kysely);
    return r.rows.map((row) => row.detail).join("\n");
  }
  // A pool of a few thousand users, so that the planner's statistics look like a real one's.
  const bulk = await sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE id LIKE 'bulk-%'`.execute(
    db.kysely,
  );
  if (Number(bulk.rows[0]?.n) === 0) {
    await sql`INSERT INTO users (id, pool_id, username, username_key, email, email_key, created_at, updated_at)
      SELECT 'bulk-' || g, 'p1', 'bulk' || g, 'bulk' || g, 'bulk' || g || '@x.test', 'bulk' || g || '@x.test', g, g
      FROM generate_series(1, 5000) AS g`.execute(db.kysely);
  }
  await sql`ANALYZE users`.execute(db.kysely);
  return db.kysely.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const r = await sql<Record<string, string>>`EXPLAIN ${query}`.execute(trx);
    return r.rows.map((row) => Object.values(row).join(" ")).join("\n");
  });
}
