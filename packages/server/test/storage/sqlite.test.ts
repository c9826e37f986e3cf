import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { type Kysely, sql } from "kysely";
import { openDb } from "../../src/storage/db.js";
import { startCheckpointer } from "../../src/storage/sqlite/checkpointer.js";
import { waitUntil } from "../helpers/wait.js";

describe("SQLite connection", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-sqlite-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("synchronous is NORMAL by default and FULL when configured (GATEHOUSE_SQLITE_SYNCHRONOUS)", async () => {
    const normal = openDb(`sqlite:${path.join(dir, "normal.db")}`);
    const full = openDb(`sqlite:${path.join(dir, "full.db")}`, { sqliteSynchronous: "full" });
    try {
      assert.equal(normal.sqlite?.pragma("synchronous", { simple: true }), 1);
      assert.equal(full.sqlite?.pragma("synchronous", { simple: true }), 2);
    } finally {
      await normal.close();
      await full.close();
    }
  });

  it("the WAL is checkpointed by a background thread, never inside the server's commits", async () => {
    const file = path.join(dir, "checkpoint.db");
    const db = openDb(`sqlite:${file}`);
    const sqlite = db.sqlite!;
    try {
      assert.equal(sqlite.pragma("wal_autocheckpoint", { simple: true }), 0);
      sqlite.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      const insert = sqlite.prepare("INSERT INTO t (v) VALUES (?)");
      const before = fs.statSync(file).size;
      for (let i = 0; i < 2000; i++) insert.run("x".repeat(1000));
      // The commits wrote to the WAL only; the pages reach the database file in the background.
      assert.ok(
        await waitUntil(() => fs.statSync(file).size >= before + 1_000_000, { intervalMs: 50 }),
        "pages were checkpointed into the file",
      );
    } finally {
      await db.close();
    }
    // Closing stops the thread and hands checkpoints back to SQLite: a plain connection sees all rows.
    const again = openDb(`sqlite:${file}`);
    try {
      const row = again.sqlite!.prepare("SELECT count(*) AS n FROM t").get() as { n: number };
      assert.equal(row.n, 2000);
    } finally {
      await again.close();
    }
  });

  it("the checkpoint thread leaves while nothing is written, and the next write brings it back", async () => {
    const file = path.join(dir, "idle.db");
    const sqlite = new SQLite(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    const insert = sqlite.prepare("INSERT INTO t (v) VALUES (?)");
    const until = async (what: string, ok: () => boolean) => assert.ok(await waitUntil(ok), what);
    const checkpointer = startCheckpointer(sqlite, file, { idleExitMs: 300 });
    try {
      assert.equal(checkpointer.running, true);
      assert.equal(sqlite.pragma("wal_autocheckpoint", { simple: true }), 0);
      const sizeBefore = fs.statSync(file).size;
      for (let i = 0; i < 500; i++) insert.run("x".repeat(1000));
      await until("pages reach the database file", () => fs.statSync(file).size >= sizeBefore + 400_000);
      await until("the thread leaves once the WAL is quiet", () => !checkpointer.running);
      // Still no automatic checkpoints inside commits while the thread is away.
      assert.equal(sqlite.pragma("wal_autocheckpoint", { simple: true }), 0);
      const sizeIdle = fs.statSync(file).size;
      for (let i = 0; i < 500; i++) insert.run("y".repeat(1000));
      await until("a write brings the thread back", () => checkpointer.running);
      await until("and its pages reach the file", () => fs.statSync(file).size >= sizeIdle + 400_000);
    } finally {
      await checkpointer.stop();
    }
    assert.equal(sqlite.pragma("wal_autocheckpoint", { simple: true }), 1000);
    assert.equal((sqlite.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 1000);
    sqlite.close();
  });

  it("the WAL starts over under writes that never pause (it does not grow by every page written)", async () => {
    const file = path.join(dir, "busy.db");
    const sqlite = new SQLite(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("journal_size_limit = 1000000");
    sqlite.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    const insert = sqlite.prepare("INSERT INTO t (v) VALUES (?)");
    const checkpointer = startCheckpointer(sqlite, file, { restartFrames: 256 });
    let rows = 0;
    let walAtEnd: number;
    let lastSize = 0;
    let startedOver = 0;
    try {
      // 20 KB every millisecond or so for 2 s: never the quiet moment SQLite needs by itself.
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        for (let i = 0; i < 10; i++) insert.run("x".repeat(2000));
        rows += 10;
        await new Promise((r) => setTimeout(r, 1));
        // Each start-over cuts the file back to 1 MB (journal_size_limit): the size falls.
        const size = fs.statSync(`${file}-wal`).size;
        if (size < lastSize) startedOver++;
        lastSize = size;
      }
      walAtEnd = fs.statSync(`${file}-wal`).size;
    } finally {
      await checkpointer.stop();
    }
    const written = rows * 2000;
    assert.ok(written > 5_000_000, `enough written to tell (${written} bytes)`);
    // Without the start-over the WAL never falls and ends four times the size of what was written
    // (a 4 KB frame per 2 KB row); with it, a few restarts a second. How much it holds at the end
    // depends on how late the worker's last pass came, so the bound is loose (measured with both
    // cores busy elsewhere: 13-17 start-overs, 1-6 MB at the end, after 15-18 MB written).
    assert.ok(startedOver >= 3, `the WAL started over ${startedOver} times`);
    assert.ok(walAtEnd < written, `WAL of ${walAtEnd} bytes after ${written} written`);
    assert.equal((sqlite.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, rows);
    sqlite.close();
  });

  it("cached prepared statements: a query repeats with new parameters, also after a stream stopped early", async () => {
    const db = openDb(`sqlite:${path.join(dir, "cache.db")}`);
    const k = db.kysely as unknown as Kysely<{ t: { id: number; v: string } }>;
    try {
      await k.schema
        .createTable("t")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("v", "text")
        .execute();
      await k
        .insertInto("t")
        .values([1, 2, 3, 4, 5].map((id) => ({ id, v: `v${id}` })))
        .execute();
      const from = (id: number) => k.selectFrom("t").select("v").where("id", ">=", id).orderBy("id");
      assert.deepEqual(await from(4).execute(), [{ v: "v4" }, { v: "v5" }]);
      assert.deepEqual(await from(5).execute(), [{ v: "v5" }]);
      for await (const row of from(1).stream()) {
        assert.equal(row.v, "v1");
        break;
      }
      assert.deepEqual(await from(3).execute(), [{ v: "v3" }, { v: "v4" }, { v: "v5" }]);
    } finally {
      await db.close();
    }
  });

  it("rows through the statement cache equal better-sqlite3's own: names, types, NULLs, duplicates, a new column", async () => {
    const file = path.join(dir, "rows.db");
    const db = openDb(`sqlite:${file}`);
    const plain = new SQLite(file);
    try {
      await sql`CREATE TABLE r (id INTEGER PRIMARY KEY, "odd name" TEXT, n REAL, b BLOB, z TEXT)`.execute(
        db.kysely,
      );
      await sql`INSERT INTO r VALUES (1, 'a"b', 1.5, x'00ff', NULL), (2, '', -0.0, NULL, 'z')`.execute(
        db.kysely,
      );
      const queries = [
        "SELECT * FROM r ORDER BY id",
        "SELECT r.id, s.id, r.z AS id FROM r JOIN r AS s ON s.id = r.id ORDER BY r.id",
        "SELECT count(*), max(n) FROM r",
        "SELECT * FROM r WHERE id = 99",
      ];
      for (let round = 0; round < 2; round++) {
        for (const q of queries) {
          const ours = (await sql.raw(q).execute(db.kysely)).rows;
          assert.deepEqual(ours, plain.prepare(q).all(), q);
          for (const row of ours)
            assert.deepEqual(Object.keys(row as object), Object.keys(plain.prepare(q).get() as object));
        }
      }
      // Another connection adds a column under the cached `select *`: the rows carry it.
      plain.exec("ALTER TABLE r ADD COLUMN later INTEGER DEFAULT 7");
      const after = (await sql.raw("SELECT * FROM r ORDER BY id").execute(db.kysely)).rows as {
        later?: number;
      }[];
      assert.deepEqual(
        after.map((r) => r.later),
        [7, 7],
      );
    } finally {
      plain.close();
      await db.close();
    }
  });
});
