import assert from "node:assert/strict";
import { it } from "node:test";
import { newId } from "../src/services/ids.js";
import { describeEachDialect } from "./helpers/harness.js";

describeEachDialect("hot reads (compiled once)", (h) => {
  it("the same precompiled read answers for each new argument, and undefined for a missing row", async () => {
    const { repos } = h().ctx;
    const poolId = h().boot.userPoolId;
    const now = Date.now();
    const ids = [newId(), newId(), newId()];
    for (const [i, id] of ids.entries()) {
      await repos.insertUser({
        id,
        pool_id: poolId,
        username: `hot-${i}`,
        created_at: now,
        updated_at: now,
      } as never);
    }
    for (const [i, id] of ids.entries())
      assert.equal((await repos.findUserById(poolId, id))?.username, `hot-${i}`);
    assert.equal(await repos.findUserById(poolId, newId()), undefined);
    assert.equal(await repos.findUserById("another-pool", ids[0]), undefined);
    assert.equal((await repos.findPoolById(poolId))?.id, poolId);
    assert.equal(await repos.findPoolById(newId()), undefined);
    assert.equal((await repos.findApplicationById(h().boot.appId))?.pool_id, poolId);
  });
});
