import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { nudgeAfterCommit } from "../../src/services/events/nudge.js";

// How far apart the worker's looks are is the worker's own rule; the PostgreSQL half of
// storage/round-trips counts its statements under a steady stream.
describe("events: the worker's nudges after a write", () => {
  let clock = 0;
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      clock += 1;
      mock.timers.tick(1);
    }
  };
  beforeEach(() => {
    clock = 0;
    mock.timers.enable({ apis: ["setTimeout"] });
  });
  afterEach(() => mock.timers.reset());

  it("a lone event is looked at 2 ms after it was written, and again at 30 ms", () => {
    const looks: number[] = [];
    const nudge = nudgeAfterCommit(() => looks.push(clock));
    nudge();
    advance(100);
    assert.deepEqual(looks, [2, 30]);
  });

  it("events written while a delay is pending share its nudge, and each is looked at within 2 ms", () => {
    const looks: number[] = [];
    const nudge = nudgeAfterCommit(() => looks.push(clock));
    for (let t = 0; t < 100; t++) {
      nudge();
      advance(1);
    }
    advance(100);
    // One nudge per 2 ms slot and one per 30 ms slot, not two per event.
    assert.ok(looks.length <= 100 / 2 + 100 / 30 + 2, `${looks.length} looks`);
    for (let t = 0; t < 100; t++)
      assert.ok(
        looks.some((l) => l > t && l <= t + 2),
        `event at ${t}: ${looks}`,
      );
    // The 30 ms slot still looks again after the stream's first event, for a slower commit.
    assert.ok(looks.includes(30), `${looks}`);
  });
});
