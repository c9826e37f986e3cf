/**
 * An event is written inside a transaction that has not committed when emit() returns, so the
 * worker is told twice, a moment apart: the first look usually finds the commit done, the second
 * catches a slower one. Any event both miss is found by the next poll. Looks coalesce.
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
