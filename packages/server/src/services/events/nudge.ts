/**
 * An event is written inside a transaction that has not committed when emit() returns, so the
 * worker is told twice, a moment apart: the first look usually finds the commit done, the second
 * catches a slower one. Any event both miss is found by the next poll. Looks coalesce.
 *
 * Nudged looks are at least `minGapMs` apart: a look is a write (the claim and mark of events with
 * their deliveries), and under a steady stream of events one look every 2 ms cost more than the
 * events themselves; one every `minGapMs` fans the same events out in batches, a few milliseconds later
 * (docs/performance.md, "The event worker's looks"). A lone event is still looked at 2 ms after
 * it was written.
 */
export function nudgeAfterCommit(
  nudge: () => void,
  delaysMs: readonly number[] = [2, 30],
  minGapMs = 25,
  now: () => number = () => performance.now(),
): () => void {
  const pending = new Set<number>();
  let last = Number.NEGATIVE_INFINITY;
  const arm = (slot: number, waitMs: number) => {
    setTimeout(() => {
      const early = last + minGapMs - now();
      if (early > 0) return arm(slot, early);
      pending.delete(slot);
      last = now();
      nudge();
    }, waitMs).unref();
  };
  return () => {
    for (const d of delaysMs) {
      if (pending.has(d)) continue;
      pending.add(d);
      arm(d, Math.max(d, last + minGapMs - now()));
    }
  };
}
