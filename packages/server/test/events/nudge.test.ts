import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { nudgeAfterCommit } from "../../src/services/events/nudge.js";

describe("events: the worker's nudges after a write", () => {
  let clock = 0;
  const now = () => clock;
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
    const nudge = nudgeAfterCommit(() => looks.push(clock), [2, 30], 25, now);
    nudge();
    advance(100);
    assert.deepEqual(looks, [2, 30]);
  });

  it("under a steady stream of events, looks are at least 25 ms apart and none is missed for longer", () => {
    const looks: number[] = [];
    const nudge = nudgeAfterCommit(() => looks.push(clock), [2, 30], 25, now);
    for (let t = 0; t < 500; t++) {
      nudge();
      advance(1);
    }
    advance(100);
    for (let i = 1; i < looks.length; i++)
      assert.ok(looks[i] - looks[i - 1] >= 25, `looks ${looks.join(",")}`);
    // Every event written is followed by a look within the gap plus the first delay.
    for (let t = 0; t < 500; t++)
      assert.ok(
        looks.some((l) => l > t && l <= t + 27),
        `event at ${t}: ${looks}`,
      );
    assert.ok(looks.length <= 500 / 25 + 2, `${looks.length} looks`);
  });
});
