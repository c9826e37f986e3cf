import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { newId } from "../../src/lib/ids.js";
import { createFlowTokens } from "../../src/services/codes/flow-tokens.js";
import { newUserRow } from "../../src/services/users/identifiers.js";
import { repositories } from "../../src/storage/repos/index.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";

const clock = new FakeClock();

async function newUser(h: Harness): Promise<string> {
  const row = newUserRow(h.boot.userPoolId, clock.now(), {});
  await h.ctx.repos.users.insertUser(row);
  return row.id;
}

describeEachDialect(
  "profile flow tokens",
  (h) => {
    const tokens = () => createFlowTokens({ secret: h().ctx.keys.secret, clock });
    const issue = async (userId: string, ttlSeconds = 60) =>
      (
        await tokens().issue(h().ctx.repos, {
          purpose: "update_phone",
          poolId: h().boot.userPoolId,
          userId,
          payload: { oldPhone: "+8613800138000", newPhone: "+8613900139000" },
          ttlSeconds,
        })
      ).token;
    const spend = (
      userId: string | undefined,
      token: string,
      over: Partial<{ poolId: string; purpose: any }> = {},
    ) =>
      tokens().spend(h().ctx.repos, {
        purpose: over.purpose ?? "update_phone",
        poolId: over.poolId ?? h().boot.userPoolId,
        userId,
        token,
      });
    const invalid = (e: any) => e.statusCode === 400 && e.apiCode === 2207;

    it("flow token: spent once it returns the values it was bound to; a second spend is 400/2207", async () => {
      const user = await newUser(h());
      const token = await issue(user);
      const spent = await spend(user, token);
      assert.deepEqual(spent, {
        userId: user,
        payload: { oldPhone: "+8613800138000", newPhone: "+8613900139000" },
      });
      await assert.rejects(spend(user, token), invalid);
    });

    it("flow token: stored only as its HMAC-SHA256 keyed with the server secret", async () => {
      const user = await newUser(h());
      const token = await issue(user);
      const rows = await h()
        .ctx.db.kysely.selectFrom("flow_tokens")
        .selectAll()
        .where("user_id", "=", user)
        .execute();
      assert.equal(rows.length, 1);
      assert.ok(!JSON.stringify(rows).includes(token));
      const expected = createHmac("sha256", h().ctx.keys.secret).update(`flow-token:${token}`).digest("hex");
      assert.equal(rows[0]?.token_hash, expected);
    });

    it("flow token: expired after its TTL → 400/2207", async () => {
      const user = await newUser(h());
      const token = await issue(user, 60);
      clock.advance(60_001);
      await assert.rejects(spend(user, token), invalid);
    });

    it("flow token: another user's, another pool's, another purpose's or an unknown token → 400/2207", async () => {
      const owner = await newUser(h());
      const other = await newUser(h());
      const token = await issue(owner);
      await assert.rejects(spend(other, token), invalid);
      await assert.rejects(spend(owner, token, { poolId: newId() }), invalid);
      await assert.rejects(spend(owner, token, { purpose: "delete_account" }), invalid);
      await assert.rejects(spend(owner, `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`), invalid);
      await assert.rejects(spend(owner, "not-a-token"), invalid);
      // none of the failures spent it
      assert.equal((await spend(owner, token)).userId, owner);
    });

    it("flow token: 20 parallel spends of one token, each in its own transaction → exactly one succeeds", async () => {
      const user = await newUser(h());
      const token = await issue(user);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          h()
            .ctx.db.kysely.transaction()
            .execute((trx) =>
              tokens().spend(repositories(trx), {
                purpose: "update_phone",
                poolId: h().boot.userPoolId,
                userId: user,
                token,
              }),
            ),
        ),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) if (r.status === "rejected") assert.ok(invalid(r.reason), String(r.reason));
    });

    it("flow token: a newer verification retires the older unspent token of the same purpose", async () => {
      const user = await newUser(h());
      const first = await issue(user);
      const second = await issue(user);
      await assert.rejects(spend(user, first), invalid);
      assert.equal((await spend(user, second)).userId, user);
    });
  },
  { clock },
);
