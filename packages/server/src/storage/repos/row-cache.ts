/**
 * A per-process read-through cache for the configuration rows nearly every request reads
 * (applications, user pools) and almost nothing writes. A write through the repositories drops
 * the entry at once; another node sees a change within TTL_MS, like the session cache. Missing
 * rows are not cached (a flood of made-up app ids cannot fill it), and a row read while a write
 * happened is not kept (it may predate the write).
 */
export const ROW_CACHE_TTL_MS = 900;
const MAX_ROWS = 10_000;

export class RowCache<R> {
  private readonly rows = new Map<string, { row: R; until: number }>();
  private writes = 0;

  /** `now`: a monotonic clock in ms (tests pass a fake one). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Reads of a row already on its way from the database: a request that misses while one is in
   * flight waits for it instead of sending its own (under load, every request in flight misses
   * together when the entry expires). Only reads that began after the last write are joined.
   */
  private readonly loading = new Map<string, { writes: number; row: Promise<R | undefined> }>();

  async get(id: string, load: () => Promise<R | undefined>): Promise<R | undefined> {
    const now = this.now();
    const hit = this.rows.get(id);
    if (hit && hit.until > now) return hit.row;
    const writesBefore = this.writes;
    const pending = this.loading.get(id);
    if (pending && pending.writes === writesBefore) return pending.row;
    const loading = load();
    this.loading.set(id, { writes: writesBefore, row: loading });
    try {
      const row = await loading;
      if (row === undefined || this.writes !== writesBefore) {
        this.rows.delete(id);
        return row;
      }
      if (this.rows.size >= MAX_ROWS) this.rows.delete(this.rows.keys().next().value as string);
      this.rows.set(id, { row, until: now + ROW_CACHE_TTL_MS });
      return row;
    } finally {
      if (this.loading.get(id)?.row === loading) this.loading.delete(id);
    }
  }

  /** Call after every write of the row (whatever its outcome: a rollback only costs a read). */
  drop(id: string): void {
    this.writes++;
    this.rows.delete(id);
    this.loading.delete(id);
  }
}
