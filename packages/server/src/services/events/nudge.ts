/**
 * An event is written inside a transaction that has not committed when emit() returns, so the
 * worker is told twice, a moment apart: the first look usually finds the commit done, the second
 * catches a slower one. Any event both miss is found by the next poll. A delay already pending is
 * not armed again, so a stream of events costs one timer per delay at a time.
 *
 * How far apart the looks are is the worker's rule (`minGapMs` in worker.ts): a nudge inside the
 * gap waits for it there (docs/performance.md, "The event path: one look per gap").
 */
export function nudgeAfterCommit(nudge: () => void, delaysMs: readonly number[] = [2, 30]): () => void {
  const pending = new Set<number>();
  return () => {
    for (const d of delaysMs) {
      if (pending.has(d)) continue;
      pending.add(d);
      setTimeout(() => {
        pending.delete(d);
        nudge();
      }, d).unref();
    }
  };
}
