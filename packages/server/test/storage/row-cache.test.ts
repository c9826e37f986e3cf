import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROW_CACHE_TTL_MS, RowCache } from "../../src/storage/repos/row-cache.js";

describe("configuration row cache (applications, pools)", () => {
  it("serves a row from memory until it is written, then reads it again", async () => {
    const cache = new RowCache<{ v: number }>();
    let reads = 0;
    let stored = 1;
    const load = async () => {
      reads++;
      return { v: stored };
    };
    assert.equal((await cache.get("a", load))?.v, 1);
    assert.equal((await cache.get("a", load))?.v, 1);
    assert.equal(reads, 1);
    stored = 2;
    cache.drop("a");
    assert.equal((await cache.get("a", load))?.v, 2);
    assert.equal(reads, 2);
  });

  it("does not keep a missing row, nor a row read while a write happened", async () => {
    const cache = new RowCache<{ v: number }>();
    let reads = 0;
    assert.equal(
      await cache.get("gone", async () => {
        reads++;
        return undefined;
      }),
      undefined,
    );
    await cache.get("gone", async () => {
      reads++;
      return undefined;
    });
    assert.equal(reads, 2);

    // The read started before the write committed: it may hold the old value, so it is not kept.
    const stale = cache.get("b", async () => {
      cache.drop("b");
      return { v: 1 };
    });
    assert.equal((await stale)?.v, 1);
    assert.equal((await cache.get("b", async () => ({ v: 2 })))?.v, 2);
  });

  it("misses while a read is in flight wait for it; a read that begins after a write does not", async () => {
    const cache = new RowCache<{ v: number }>();
    let reads = 0;
    let stored = 1;
    let answer!: () => void;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    const load = async () => {
      reads++;
      const v = stored;
      await gate;
      return { v };
    };
    const first = cache.get("a", load);
    const second = cache.get("a", load);
    assert.equal(reads, 1, "the second miss joined the first read");
    stored = 2;
    cache.drop("a");
    const afterWrite = cache.get("a", load);
    assert.equal(reads, 2, "a read after the write goes to the database");
    answer();
    assert.deepEqual([(await first)?.v, (await second)?.v, (await afterWrite)?.v], [1, 1, 2]);
  });

  it("expires entries after the TTL (another node's write shows within a second)", async () => {
    let now = 1_000;
    const cache = new RowCache<{ v: number }>(() => now);
    await cache.get("c", async () => ({ v: 1 }));
    now += ROW_CACHE_TTL_MS - 1;
    assert.equal((await cache.get("c", async () => ({ v: 2 })))?.v, 1, "still fresh just before the TTL");
    now += 1;
    assert.equal((await cache.get("c", async () => ({ v: 2 })))?.v, 2, "read again at the TTL");
    assert.ok(ROW_CACHE_TTL_MS < 1000, "another node's write shows within a second");
  });
});
