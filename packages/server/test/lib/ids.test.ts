import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newId, newSecret, randomBase64url, randomHex } from "../../src/lib/ids.js";

describe("random ids and secrets (drawn from a pooled CSPRNG buffer)", () => {
  it("never hand out the same bytes twice, across many refills of the pool", () => {
    // 12 bytes an id, 4 KB a pool: 5,000 ids cross the refill point ~15 times, at odd offsets.
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newId();
      assert.match(id, /^[0-9a-f]{24}$/);
      seen.add(id);
      seen.add(randomHex(7));
    }
    assert.equal(seen.size, 10_000);
  });

  it("have the lengths and alphabets the callers store and compare", () => {
    assert.match(newSecret(), /^[0-9a-f]{32}$/);
    assert.match(randomHex(32), /^[0-9a-f]{64}$/);
    assert.match(randomBase64url(32), /^[A-Za-z0-9_-]{43}$/);
    // A request larger than what is left in the pool gets fresh bytes, not a short string.
    for (let i = 0; i < 200; i++) assert.equal(randomBase64url(32).length, 43);
  });
});
