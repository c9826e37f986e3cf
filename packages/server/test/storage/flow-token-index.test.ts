import assert from "node:assert/strict";
import { it } from "node:test";
import { sql } from "kysely";
import { describeEachDialect } from "../helpers/harness.js";
import { register } from "../helpers/profile.js";

/**
 * Retiring a user's older tokens (storage/repos/flow-tokens.ts) must find the live ones through
 * the partial index, not walk every token the user was ever issued (storage migration 0010-flow-token-index).
 */
describeEachDialect("storage: the live flow-token index", (h) => {
  it("retiring older tokens reads the partial index of live tokens, among thousands of spent ones", async () => {
    const u = await register(h(), { phone: true });
    const db = h().ctx.db.kysely;
    const now = Date.now();
    // A busy user: 3,000 spent tokens and one live one, as a day of change-phone flows leaves them.
    await sql`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
      INSERT INTO flow_tokens (id, pool_id, user_id, purpose, token_hash, payload, expires_at, consumed_at, created_at)
      SELECT 'spent-' || i, ${h().boot.userPoolId}, ${u.userId}, 'update_phone', 'hash-' || i, '{}', ${now}, ${now}, ${now}
      FROM n`.execute(db);
    await db
      .insertInto("flow_tokens")
      .values({
        id: "live-1",
        pool_id: h().boot.userPoolId,
        user_id: u.userId,
        purpose: "update_phone",
        token_hash: "live-hash-1",
        payload: "{}",
        expires_at: now + 60_000,
        consumed_at: null,
        created_at: now,
      })
      .execute();
    await sql`ANALYZE flow_tokens`.execute(db);

    const retire = db
      .updateTable("flow_tokens")
      .set({ consumed_at: now })
      .where("user_id", "=", u.userId)
      .where("purpose", "=", "update_phone")
      .where("consumed_at", "is", null)
      .compile();
    const explain = h().dialect === "postgres" ? "EXPLAIN" : "EXPLAIN QUERY PLAN";
    const plan = await db.executeQuery({ ...retire, sql: `${explain} ${retire.sql}`, query: retire.query });
    const text = plan.rows.map((r: any) => r["QUERY PLAN"] ?? r.detail).join("\n");
    assert.match(text, /flow_tokens_live_user_purpose/, text);

    const r = await db.executeQuery(retire);
    assert.equal(Number(r.numAffectedRows), 1, "only the live token is retired");
  });
});
