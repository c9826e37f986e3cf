import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import type { Database } from "../../src/storage/schema.js";
import type { LoadRecord } from "./workload.js";

/**
 * After crashes: every acknowledged write is there, and no change is half done.
 * - every sign-up answered 200 is a user with that id;
 * - per user, the spent updatePhoneTokens form one chain (each starts from the phone the
 *   previous one left), the user's phone is the last one's new phone, and there is exactly one
 *   "phone changed" audit event per spent token (they commit in one transaction);
 * - every phone change answered 200 is one of those consumed tokens;
 * - a token was issued exactly when the new number's code was consumed (one transaction), and a
 *   consumed code stays consumed.
 * Returns what was checked, for the reliability report.
 */
export async function assertNothingLostOrHalfDone(db: Kysely<Database>, record: LoadRecord) {
  for (const [email, id] of record.signups) {
    const row = await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
    assert.equal(row?.id, id, `acknowledged sign-up ${email} is missing`);
  }

  const tokens = await db
    .selectFrom("flow_tokens")
    .select(["user_id", "payload", "consumed_at", "created_at"])
    .where("purpose", "=", "update_phone")
    .orderBy("created_at")
    .execute();
  const consumedByUser = new Map<string, { oldPhone: string; newPhone: string; at: number }[]>();
  for (const t of tokens) {
    if (t.consumed_at === null) continue;
    const p = JSON.parse(t.payload) as { oldPhone: string; newPhone: string };
    const list = consumedByUser.get(t.user_id) ?? [];
    list.push({ ...p, at: Number(t.consumed_at) });
    consumedByUser.set(t.user_id, list);
  }
  let chains = 0;
  let spentTotal = 0;
  const spentByUser = new Map<string, { oldPhone: string; newPhone: string }[]>();
  for (const [userId, consumed] of consumedByUser) {
    const user = await db
      .selectFrom("users")
      .select("phone")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    // Consumed = spent by update-phone, or retired when a newer token was issued. Numbers are
    // never reused, so the spent ones are those whose new phone the user then had: the current
    // phone, or the old phone of another consumed token.
    const left = new Set(consumed.map((x) => x.oldPhone));
    const spent = consumed
      .filter((x) => x.newPhone === user.phone || left.has(x.newPhone))
      .sort((a, b) => a.at - b.at);
    for (let i = 1; i < spent.length; i++) {
      assert.equal(
        spent[i]!.oldPhone,
        spent[i - 1]!.newPhone,
        `user ${userId}: change ${i} does not follow change ${i - 1}`,
      );
    }
    if (spent.length > 0)
      assert.equal(user.phone, spent.at(-1)!.newPhone, `user ${userId}: phone is not the last change's`);
    const events = await db
      .selectFrom("audit_events")
      .select("id")
      .where("user_id", "=", userId)
      .where("action", "=", "user.phone.changed")
      .execute();
    assert.equal(
      events.length,
      spent.length,
      `user ${userId}: ${spent.length} changes made, ${events.length} recorded`,
    );
    spentByUser.set(userId, spent);
    spentTotal += spent.length;
    chains += 1;
  }
  const allEvents = await db
    .selectFrom("audit_events")
    .select("user_id")
    .where("action", "=", "user.phone.changed")
    .execute();
  for (const e of allEvents) {
    assert.ok(
      spentByUser.get(e.user_id ?? "")?.length,
      `user ${e.user_id}: phone changed without a spent token`,
    );
  }
  for (const c of record.phoneChanges) {
    const list = spentByUser.get(c.userId) ?? [];
    assert.ok(
      list.some((x) => x.oldPhone === c.from && x.newPhone === c.to),
      `acknowledged phone change ${c.from} → ${c.to} is missing`,
    );
  }

  const bindCodes = await db
    .selectFrom("verification_codes")
    .select(["target", "consumed_at"])
    .where("kind", "=", "sms")
    .where("channel", "=", "CHANNEL_BIND_PHONE")
    .execute();
  const issuedFor = new Set(tokens.map((t) => (JSON.parse(t.payload) as { newPhone: string }).newPhone));
  for (const code of bindCodes) {
    assert.equal(
      code.consumed_at !== null,
      issuedFor.has(code.target),
      `code for ${code.target}: consumed=${code.consumed_at !== null} but token issued=${issuedFor.has(code.target)}`,
    );
  }
  return {
    signups: record.signups.size,
    phoneChanges: record.phoneChanges.length,
    tokensSpent: spentTotal,
    usersChecked: chains,
    codesChecked: bindCodes.length,
  };
}
