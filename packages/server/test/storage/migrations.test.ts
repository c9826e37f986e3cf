import assert from "node:assert/strict";
import { it } from "node:test";
import { sql } from "kysely";
import { createContext } from "../../src/context.js";
import { newId } from "../../src/lib/ids.js";
import { ensureBootstrap } from "../../src/services/admin/bootstrap.js";
import { findUserByEmail, newUserRow } from "../../src/services/users/identifiers.js";
import { normalizePhone } from "../../src/services/users/phone.js";
import { isUniqueViolation } from "../../src/storage/db.js";
import type { NewUserRow } from "../../src/storage/repos/users.js";
import { describeEachDialect } from "../helpers/harness.js";

const userRow = (poolId: string, fields: Partial<NewUserRow>) => newUserRow(poolId, Date.now(), fields);

describeEachDialect("storage", (h) => {
  it("migrations create every table from an empty database", async () => {
    const tables = await h().ctx.db.kysely.introspection.getTables();
    const names = tables.map((t) => t.name);
    for (const t of ["gh_meta", "user_pools", "applications", "users", "identities"])
      assert.ok(names.includes(t), t);
  });

  it("bootstrap is idempotent: a second run reuses the same pool, app and secrets", async () => {
    const again = await ensureBootstrap(
      h().ctx.db.kysely,
      h().ctx.keys.box,
      h().ctx.clock,
      h().ctx.config.publicUrl,
    );
    assert.equal(again.created, false);
    assert.deepEqual(again.info, h().boot);
    assert.equal((await h().ctx.repos.pools.listPools()).length, 1);
  });

  it("a restarted context keeps the server secret and RSA key", async () => {
    const ctx2 = await createContext(h().ctx.config, { logger: h().ctx.logger });
    try {
      assert.equal(ctx2.keys.secret, h().ctx.keys.secret);
      assert.equal(ctx2.keys.rsaPublicKeyPem, h().ctx.keys.rsaPublicKeyPem);
    } finally {
      await ctx2.close();
    }
  });

  it("email is unique per pool, case-insensitively, enforced by the database", async () => {
    const { repos } = h().ctx;
    const pool = h().boot.userPoolId;
    await repos.users.insertUser(userRow(pool, { email: "Alice@Example.com" }));
    await assert.rejects(repos.users.insertUser(userRow(pool, { email: "alice@example.COM" })), (e) =>
      isUniqueViolation(e),
    );
    assert.equal((await findUserByEmail(repos, pool, "ALICE@example.com"))?.email, "Alice@Example.com");
  });

  it("username is unique per pool, case-insensitively", async () => {
    const { repos } = h().ctx;
    const pool = h().boot.userPoolId;
    await repos.users.insertUser(userRow(pool, { username: "Bob" }));
    await assert.rejects(repos.users.insertUser(userRow(pool, { username: "bob" })), (e) =>
      isUniqueViolation(e),
    );
  });

  it("phone is stored normalised (E.164) so two spellings of one number collide", async () => {
    const { repos } = h().ctx;
    const pool = h().boot.userPoolId;
    const a = normalizePhone("13800138000", undefined, "+86");
    const b = normalizePhone("+86 138 0013 8000", undefined, "+86");
    assert.equal(a.e164, "+8613800138000");
    assert.equal(b.e164, a.e164);
    await repos.users.insertUser(userRow(pool, { phone: a.e164 }));
    await assert.rejects(repos.users.insertUser(userRow(pool, { phone: b.e164 })), (e) =>
      isUniqueViolation(e),
    );
  });

  it("uniqueness is per pool: another pool may reuse the email", async () => {
    const { repos } = h().ctx;
    const now = Date.now();
    const other = newId();
    await repos.pools.insertPool({
      id: other,
      name: "other",
      secret: "s",
      settings: "{}",
      created_at: now,
      updated_at: now,
    });
    await repos.users.insertUser(userRow(other, { email: "alice@example.com" }));
    const n = await sql<{
      n: number;
    }>`select count(*) as n from users where lower(email) = 'alice@example.com'`.execute(h().ctx.db.kysely);
    assert.equal(Number(n.rows[0]?.n), 2);
  });
});
