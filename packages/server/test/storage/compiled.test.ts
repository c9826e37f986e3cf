import assert from "node:assert/strict";
import { it } from "node:test";
import { sql } from "kysely";
import { newId } from "../../src/lib/ids.js";
import { findUserByEmail, withIdentifierKeys } from "../../src/services/users/identifiers.js";
import { type Db, isUniqueViolation, openDb } from "../../src/storage/db.js";
import { reserveCodeAttemptsOf } from "../../src/storage/repos/codes.js";
import { compiled, firstRow, recompiledQueries } from "../../src/storage/repos/compiled.js";
import type { Executor } from "../../src/storage/repos/executor.js";
import { repositories } from "../../src/storage/repos/index.js";
import { writingUsers } from "../../src/storage/sqlite/user-rows.js";
import { form, signedInUser, signInByPassword } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";

describeEachDialect("hot queries (compiled once per dialect)", (h) => {
  async function insertUsers(count: number, phone?: (i: number) => string) {
    const poolId = h().boot.userPoolId;
    const now = Date.now();
    const ids = Array.from({ length: count }, () => newId());
    for (const [i, id] of ids.entries()) {
      await h().ctx.repos.users.insertUser({
        id,
        pool_id: poolId,
        ...withIdentifierKeys({ username: `hot-${id}` }),
        phone: phone?.(i) ?? null,
        created_at: now,
        updated_at: now,
      } as never);
    }
    return ids;
  }

  it("the same precompiled read answers for each new argument, and undefined for a missing row", async () => {
    const { repos } = h().ctx;
    const poolId = h().boot.userPoolId;
    const ids = await insertUsers(3);
    for (const id of ids) assert.equal((await repos.users.findUserById(poolId, id))?.username, `hot-${id}`);
    assert.equal(await repos.users.findUserById(poolId, newId()), undefined);
    assert.equal(await repos.users.findUserById("another-pool", ids[0]), undefined);
    assert.equal((await repos.pools.findPoolById(poolId))?.id, poolId);
    assert.equal(await repos.pools.findPoolById(newId()), undefined);
    assert.equal((await repos.applications.findApplicationById(h().boot.appId))?.pool_id, poolId);
  });

  it("user reads made together (one query on PostgreSQL) each get their own answer", async () => {
    const { repos } = h().ctx;
    const poolId = h().boot.userPoolId;
    const ids = await insertUsers(40);
    await repos.users.updateUser(poolId, ids[7]!, { nickname: "written just before" });
    const asks = [
      ...ids.map((id) => ({ poolId, id })),
      { poolId, id: ids[3]! },
      { poolId, id: newId() },
      { poolId: "another-pool", id: ids[5]! },
    ];
    const rows = await Promise.all(asks.map((a) => repos.users.findUserById(a.poolId, a.id)));
    for (const [i, id] of ids.entries()) assert.equal(rows[i]?.username, `hot-${id}`);
    assert.equal(rows[7]?.nickname, "written just before");
    assert.equal(rows[40]?.id, ids[3]);
    assert.notEqual(rows[40], rows[3], "the same user asked twice: two objects, not one shared");
    assert.equal(rows[41], undefined);
    assert.equal(rows[42], undefined);
  });

  it("a precompiled write inside a transaction runs on the transaction: a rollback undoes it", async () => {
    const poolId = h().boot.userPoolId;
    const [id] = await insertUsers(1, () => "+8613800000001");
    const { repos, db } = h().ctx;
    // Once outside a transaction, so the compiled statement exists before the transaction uses it.
    assert.equal(
      (await repos.userContacts.replaceUserPhone(poolId, id, "+8613800000001", "+8613800000002", 1))?.phone,
      "+8613800000002",
    );
    await assert.rejects(
      db.kysely.transaction().execute(async (trx) => {
        const tx = repositories(trx);
        assert.ok(await tx.userContacts.replaceUserPhone(poolId, id, "+8613800000002", "+8613800000003", 2));
        assert.equal((await tx.users.findUserById(poolId, id))?.phone, "+8613800000003");
        throw new Error("roll back");
      }),
      /roll back/,
    );
    assert.equal((await repos.users.findUserById(poolId, id))?.phone, "+8613800000002");
    // The guard in the WHERE clause still decides: the old number no longer matches.
    assert.equal(
      await repos.userContacts.replaceUserPhone(poolId, id, "+8613800000001", "+8613800000004", 3),
      undefined,
    );
  });

  it("hot queries from outside a transaction in flight are not part of it: they neither see nor share its fate", async () => {
    const poolId = h().boot.userPoolId;
    const [inside, outside] = await insertUsers(2, (i) => `+861380000010${i}`);
    const { repos, db } = h().ctx;
    // Compiled before the transaction, so both queries take the precompiled path.
    assert.ok(
      await repos.userContacts.replaceUserPhone(poolId, outside, "+8613800000101", "+8613800000111", 1),
    );
    assert.equal((await repos.users.findUserById(poolId, inside))?.phone, "+8613800000100");

    let written!: () => void;
    const begun = new Promise<void>((resolve) => (written = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = db.kysely.transaction().execute(async (trx) => {
      assert.ok(
        await repositories(trx).userContacts.replaceUserPhone(
          poolId,
          inside,
          "+8613800000100",
          "+8613800000120",
          2,
        ),
      );
      written();
      await held;
      throw new Error("roll back");
    });
    await begun;
    let finished = 0;
    const write = repos.userContacts
      .replaceUserPhone(poolId, outside, "+8613800000111", "+8613800000121", 3)
      .finally(() => finished++);
    const read = repos.users.findUserById(poolId, inside).finally(() => finished++);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    // SQLite has one connection: the queries wait until the transaction lets go of it.
    if (h().dialect === "sqlite") assert.equal(finished, 0);
    release();
    await assert.rejects(transaction, /roll back/);
    assert.equal((await write)?.phone, "+8613800000121");
    assert.equal((await read)?.phone, "+8613800000100", "the uncommitted number was never seen outside");
    assert.equal((await repos.users.findUserById(poolId, inside))?.phone, "+8613800000100");
    assert.equal((await repos.users.findUserById(poolId, outside))?.phone, "+8613800000121");
  });

  it("a transaction used after it ended refuses its precompiled queries (nothing runs outside it)", async () => {
    const poolId = h().boot.userPoolId;
    const [id] = await insertUsers(1, () => "+8613800000201");
    const { repos, db } = h().ctx;
    assert.ok(await repos.userContacts.replaceUserPhone(poolId, id, "+8613800000201", "+8613800000202", 1));
    let ended: Executor | undefined;
    await db.kysely.transaction().execute(async (trx) => {
      ended = trx;
      assert.equal((await repositories(trx).users.findUserById(poolId, id))?.phone, "+8613800000202");
    });
    await assert.rejects(
      repositories(ended!).userContacts.replaceUserPhone(poolId, id, "+8613800000202", "+8613800000203", 2),
      /Transaction is already committed/,
    );
    assert.equal((await repos.users.findUserById(poolId, id))?.phone, "+8613800000202");
  });

  it("a precompiled write that breaks a unique index fails as a unique violation and changes nothing", async () => {
    const { repos } = h().ctx;
    const poolId = h().boot.userPoolId;
    const now = Date.now();
    const row = {
      id: newId(),
      pool_id: poolId,
      user_id: (await insertUsers(1))[0]!,
      purpose: "update_phone",
      token_hash: `dup-${newId()}`,
      payload: "{}",
      expires_at: now + 60_000,
      consumed_at: null,
      created_at: now,
    };
    // The first insert compiles the statement; the later ones take the precompiled path.
    await repos.flowTokens.insertFlowToken(row);
    await repos.flowTokens.insertFlowToken({ ...row, id: newId(), token_hash: `other-${newId()}` });
    await assert.rejects(
      repos.flowTokens.insertFlowToken({ ...row, id: newId(), payload: "changed" }),
      (err: unknown) => isUniqueViolation(err),
    );
    const found = await repos.flowTokens.findLiveFlowToken(
      { tokenHash: row.token_hash, purpose: row.purpose, poolId, userId: row.user_id },
      now,
    );
    assert.equal(found?.payload, "{}");
  });

  it("list arguments of different lengths each get their own statement", async () => {
    const { repos } = h().ctx;
    const poolId = h().boot.userPoolId;
    const now = Date.now();
    const target = "+8613900000001";
    for (const channel of ["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE", "CHANNEL_LOGIN"]) {
      await repos.codes.upsertCode({
        id: newId(),
        pool_id: poolId,
        kind: "sms",
        channel,
        target,
        code_hash: `hash-${channel}`,
        attempts: 0,
        max_attempts: 2,
        expires_at: now + 60_000,
        consumed_at: null,
        created_at: now,
      });
    }
    const reserve = (channels: string[]) =>
      repos.codes.reserveCodeAttempts(poolId, "sms", target, channels, now);
    assert.deepEqual(
      (await reserve(["CHANNEL_LOGIN"])).map((r) => [r.channel, r.attempts]),
      [["CHANNEL_LOGIN", 1]],
    );
    assert.deepEqual(
      (await reserve(["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"])).map((r) => r.channel).sort(),
      ["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"],
    );
    // Attempts are counted and given back by the compiled updates; at max_attempts the code is dead.
    const [bind] = await reserve(["CHANNEL_BIND_PHONE"]);
    assert.equal(bind.attempts, 2);
    assert.deepEqual(await reserve(["CHANNEL_BIND_PHONE"]), []);
    await repos.codes.releaseCodeAttempts([bind.id]);
    assert.equal((await reserve(["CHANNEL_BIND_PHONE"]))[0]?.attempts, 2);
    assert.deepEqual(await reserve(["CHANNEL_BIND_PHONE"]), []);
    const live = async (channels: string[]) => {
      const rows = await reserve(channels);
      await repos.codes.releaseCodeAttempts(rows.map((r) => r.id));
      return rows;
    };
    const rest = await live(["CHANNEL_UNBIND_PHONE", "CHANNEL_LOGIN"]);
    assert.equal(await repos.codes.consumeCodes([rest[0].id], now), 1);
    assert.equal(await repos.codes.consumeCodes([rest[0].id, rest[1].id], now), 1);
    assert.equal(await repos.codes.consumeCodes([rest[0].id, rest[1].id], now), 0);
  });

  it("codes of several targets reserved in one statement: each shape compiled once, each call its own rows", async () => {
    const { repos, db } = h().ctx;
    const poolId = h().boot.userPoolId;
    const now = Date.now();
    const targets = ["+8613900000011", "+8613900000012", "+8613900000013"];
    for (const target of targets) {
      for (const channel of ["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"]) {
        await repos.codes.upsertCode({
          id: newId(),
          pool_id: poolId,
          kind: "sms",
          channel,
          target,
          code_hash: `hash-${channel}`,
          attempts: 0,
          max_attempts: 5,
          expires_at: now + 60_000,
          consumed_at: null,
          created_at: now,
        });
      }
    }
    const reserve = async (asks: [string, string[]][]) =>
      (
        await reserveCodeAttemptsOf(
          db.kysely,
          asks.map(([target, channels]) => ({ poolId, kind: "sms", target, channels })),
          now,
        )
      )
        .map((r) => `${r.target} ${r.channel} ${r.attempts}`)
        .sort();
    // The same shapes twice with other values: the second call of each runs the compiled statement.
    for (let round = 1; round <= 2; round++) {
      assert.deepEqual(
        await reserve([
          [targets[0]!, ["CHANNEL_UNBIND_PHONE"]],
          [targets[1]!, ["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"]],
        ]),
        [
          `${targets[0]} CHANNEL_UNBIND_PHONE ${round}`,
          `${targets[1]} CHANNEL_BIND_PHONE ${round}`,
          `${targets[1]} CHANNEL_UNBIND_PHONE ${round}`,
        ],
      );
      // Same total length, other split: its own statement, not the one above.
      assert.deepEqual(
        await reserve([
          [targets[2]!, ["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"]],
          [targets[0]!, ["CHANNEL_BIND_PHONE"]],
        ]),
        [
          `${targets[0]} CHANNEL_BIND_PHONE ${round}`,
          `${targets[2]} CHANNEL_BIND_PHONE ${round}`,
          `${targets[2]} CHANNEL_UNBIND_PHONE ${round}`,
        ],
      );
    }
    assert.deepEqual(await reserve([[targets[1]!, []]]), []);
    assert.ok(!recompiledQueries().includes("codes.reserveLiveOf"));
  });

  it("flow tokens: spent once, by their user only (with and without the user condition)", async () => {
    const { repos } = h().ctx;
    const poolId = h().boot.userPoolId;
    const [userId] = await insertUsers(1);
    const now = Date.now();
    const row = (tokenHash: string) => ({
      id: newId(),
      pool_id: poolId,
      user_id: userId,
      purpose: "update_phone",
      token_hash: tokenHash,
      payload: "{}",
      expires_at: now + 60_000,
      consumed_at: null,
      created_at: now,
    });
    await repos.flowTokens.insertFlowToken(row("a"));
    await repos.flowTokens.insertFlowToken(row("b"));
    const key = { purpose: "update_phone", poolId };
    assert.equal(
      await repos.flowTokens.consumeFlowToken({ ...key, tokenHash: "a", userId: newId() }, now),
      undefined,
    );
    assert.equal(
      (await repos.flowTokens.consumeFlowToken({ ...key, tokenHash: "a", userId }, now))?.user_id,
      userId,
    );
    assert.equal(await repos.flowTokens.consumeFlowToken({ ...key, tokenHash: "a", userId }, now), undefined);
    assert.equal((await repos.flowTokens.consumeFlowToken({ ...key, tokenHash: "b" }, now))?.user_id, userId);
    assert.equal(await repos.flowTokens.consumeFlowToken({ ...key, tokenHash: "b" }, now), undefined);
  });

  it("a schema change under a prepared statement (another node migrated) does not break the query", async (t) => {
    // PostgreSQL only: reported as skipped in the SQLite half, not as a pass.
    if (h().dialect !== "postgres") return t.skip("PostgreSQL only");
    const { repos, db } = h().ctx;
    const poolId = h().boot.userPoolId;
    const [id] = await insertUsers(1);
    // Prepared on as many pooled connections as parallel calls reach.
    const readAll = () => Promise.all(Array.from({ length: 20 }, () => repos.users.findUserById(poolId, id)));
    for (const row of await readAll()) assert.equal(row?.id, id);
    await sql`ALTER TABLE users ADD COLUMN added_by_a_newer_node text`.execute(db.kysely);
    try {
      for (const row of await readAll()) assert.equal(row?.id, id);
    } finally {
      await sql`ALTER TABLE users DROP COLUMN added_by_a_newer_node`.execute(db.kysely);
    }
    for (const row of await readAll()) assert.equal(row?.id, id);
  });

  it("PostgreSQL rows are parsed by the types of their own columns, whatever shape came before", async (t) => {
    // PostgreSQL only: reported as skipped in the SQLite half, not as a pass.
    if (h().dialect !== "postgres") return t.skip("PostgreSQL only");
    const { db } = h().ctx;
    // Same column name, other types: each result is parsed by its own column's type.
    for (let i = 0; i < 3; i++) {
      const asInt = await sql<{ x: unknown }>`SELECT 42::int8 AS x`.execute(db.kysely);
      const asText = await sql<{ x: unknown }>`SELECT '42'::text AS x`.execute(db.kysely);
      const asBool = await sql<{ x: unknown; y: unknown }>`SELECT true AS x, NULL::text AS y`.execute(
        db.kysely,
      );
      assert.deepEqual(asInt.rows, [{ x: 42 }]);
      assert.deepEqual(asText.rows, [{ x: "42" }]);
      assert.deepEqual(asBool.rows, [{ x: true, y: null }]);
    }
    // A column added between two reads of the same statement appears in the later rows.
    const [id] = await insertUsers(1);
    const poolId = h().boot.userPoolId;
    assert.equal("added_later" in ((await h().ctx.repos.users.findUserById(poolId, id)) ?? {}), false);
    // It changes every user row: a writer of users like any other (the row cache hears of it).
    await writingUsers(db.kysely, () =>
      sql`ALTER TABLE users ADD COLUMN added_later int8 DEFAULT 7`.execute(db.kysely),
    );
    try {
      const rows = await Promise.all(
        Array.from({ length: 20 }, () => h().ctx.repos.users.findUserById(poolId, id)),
      );
      for (const row of rows) assert.equal((row as Record<string, unknown> | undefined)?.added_later, 7);
    } finally {
      await writingUsers(db.kysely, () => sql`ALTER TABLE users DROP COLUMN added_later`.execute(db.kysely));
    }
  });

  it("PostgreSQL runs hot queries as named prepared statements, unless turned off (poolers)", async (t) => {
    // PostgreSQL only: reported as skipped in the SQLite half, not as a pass.
    if (h().dialect !== "postgres") return t.skip("PostgreSQL only");
    const poolId = h().boot.userPoolId;
    const [id] = await insertUsers(1);
    const preparedOnOneConnection = (db: Db) =>
      db.kysely.transaction().execute(async (trx) => {
        assert.equal((await repositories(trx).users.findUserById(poolId, id))?.id, id);
        const r = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'gh_%'`.execute(trx);
        return r.rows[0].n;
      });
    assert.ok((await preparedOnOneConnection(h().ctx.db)) > 0);
    const plain = openDb(h().ctx.config.databaseUrl, { pgPreparedStatements: false });
    try {
      assert.equal(await preparedOnOneConnection(plain), 0);
    } finally {
      await plain.close();
    }
  });

  it("sign-in's statements (lockout counters, login record, session, refresh token) run precompiled", async () => {
    const { repos } = h().ctx;
    const poolId = h().boot.userPoolId;
    const email = `Hot.${newId()}@Example.test`;
    const user = await signedInUser(h(), email, "correct horse 1", "openid offline_access");
    // Twice each, so that the second call takes the precompiled path; the stored values tell.
    for (const ua of ["Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", ""]) {
      const res = await signInByPassword(
        h(),
        { email: email.toUpperCase(), password: "correct horse 1" },
        { scope: "openid offline_access" },
        ua ? { "user-agent": ua } : {},
      );
      assert.equal(res.statusCode, 200);
    }
    const row = await findUserByEmail(repos, poolId, email);
    assert.equal(row?.id, user.userId);
    assert.equal(row?.logins_count, 3);
    assert.equal(row?.browser, "Firefox", "a sign-in that names no browser keeps the one stored");
    const history = await repos.loginHistory.listLoginHistory({ poolId, userId: user.userId }, 1, 10);
    assert.equal(history.totalCount, 3);

    const refreshed = await form(h(), "/oidc/token", {
      grant_type: "refresh_token",
      refresh_token: user.refresh_token,
      client_id: h().boot.appId,
      client_secret: h().boot.appSecret,
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(
      (
        await form(h(), "/oidc/token", {
          grant_type: "refresh_token",
          refresh_token: refreshed.body.refresh_token,
          client_id: h().boot.appId,
          client_secret: h().boot.appSecret,
        })
      ).status,
      200,
    );

    // Lockout counters: counted, read, given back, cleared — each twice.
    const key = `login-acct:${poolId}:hot-${newId()}`;
    const now = Date.now();
    assert.deepEqual(await repos.loginCounters.hitLoginCounter(key, 60_000, 3, now), {
      count: 1,
      expiresAt: now + 60_000,
    });
    assert.equal((await repos.loginCounters.hitLoginCounter(key, 60_000, 3, now + 1)).count, 2);
    // The hit reaching the limit restarts the window; a hit after the window starts again at 1.
    assert.deepEqual(await repos.loginCounters.hitLoginCounter(key, 60_000, 3, now + 2), {
      count: 3,
      expiresAt: now + 60_002,
    });
    assert.deepEqual(await repos.loginCounters.readLoginCounter(key, now + 3), {
      count: 3,
      expiresAt: now + 60_002,
    });
    await repos.loginCounters.releaseLoginCounter(key, now + 3);
    await repos.loginCounters.releaseLoginCounter(key, now + 3);
    assert.equal((await repos.loginCounters.readLoginCounter(key, now + 4)).count, 1);
    assert.deepEqual(await repos.loginCounters.hitLoginCounter(key, 60_000, 3, now + 70_000), {
      count: 1,
      expiresAt: now + 130_000,
    });
    await repos.loginCounters.releaseLoginCounter(key, now + 70_001);
    await repos.loginCounters.releaseLoginCounter(key, now + 70_001);
    assert.equal(
      (await repos.loginCounters.readLoginCounter(key, now + 70_002)).count,
      0,
      "never below zero",
    );
    await repos.loginCounters.clearLoginCounter(key);
    await repos.loginCounters.clearLoginCounter(key);
    assert.deepEqual(await repos.loginCounters.readLoginCounter(key, now), { count: 0, expiresAt: 0 });
    // Wrong passwords go through the same counters: each one leaves one try fewer.
    const remain: number[] = [];
    for (let i = 0; i < 2; i++) {
      const wrong = await signInByPassword(h(), { email, password: "wrong horse 1" });
      assert.equal(wrong.statusCode, 403);
      remain.push(wrong.data.remainCount);
    }
    assert.equal(remain[1], remain[0]! - 1);
  });

  it("a user's MFA factors and own switches: each user's own, in enrolment order, read again after a change", async () => {
    const { repos } = h().ctx;
    const poolId = h().boot.userPoolId;
    const [a, b] = await insertUsers(2);
    const now = Date.now();
    const factor = (userId: string, type: string, at: number) => ({
      id: newId(),
      pool_id: poolId,
      user_id: userId,
      factor_type: type,
      profile: "{}",
      secret_sealed: null,
      recovery_hash: null,
      last_step: 0,
      last_verified_at: null,
      created_at: at,
    });
    assert.deepEqual(await repos.mfaFactors.listUserFactors(poolId, a!), []);
    assert.equal(await repos.mfaFactors.getUserMfaStatus(poolId, a!), undefined);
    await repos.mfaFactors.insertFactor(factor(a!, "SMS", now + 1));
    await repos.mfaFactors.insertFactor(factor(a!, "OTP", now));
    await repos.mfaFactors.insertFactor(factor(b!, "EMAIL", now));
    await repos.mfaFactors.setUserMfaStatus(poolId, b!, '{"EMAIL":true}', now);
    const of = async (userId: string) =>
      (await repos.mfaFactors.listUserFactors(poolId, userId)).map((f) => f.factor_type);
    assert.deepEqual(await of(a!), ["OTP", "SMS"]);
    assert.deepEqual(await of(b!), ["EMAIL"]);
    assert.equal(await repos.mfaFactors.getUserMfaStatus(poolId, a!), undefined);
    assert.equal(await repos.mfaFactors.getUserMfaStatus(poolId, b!), '{"EMAIL":true}');
    await repos.mfaFactors.deleteUserFactors(poolId, a!);
    await repos.mfaFactors.setUserMfaStatus(poolId, b!, '{"EMAIL":false}', now + 1);
    assert.deepEqual(await of(a!), []);
    assert.equal(await repos.mfaFactors.getUserMfaStatus(poolId, b!), '{"EMAIL":false}');
    assert.equal(await repos.mfaFactors.getUserMfaStatus("another-pool", b!), undefined);
  });

  it("every hot query of the repositories was compiled once and reused (none fell back)", () => {
    assert.deepEqual(
      recompiledQueries().filter((name) => !name.startsWith("test.")),
      [],
    );
  });

  it("a builder whose parameters are not its arguments is compiled on every call, and still right", async () => {
    const poolId = h().boot.userPoolId;
    const ids = await insertUsers(2);
    const byUpperId = compiled("test.transformed", (db, id: string) =>
      db.selectFrom("users").select("id").where("pool_id", "=", poolId).where("id", "=", id.toLowerCase()),
    );
    const db = h().ctx.db.kysely;
    for (const id of ids) assert.equal(firstRow(await byUpperId(db, id.toUpperCase()))?.id, id);
    assert.ok(recompiledQueries().includes("test.transformed"));
  });
});
