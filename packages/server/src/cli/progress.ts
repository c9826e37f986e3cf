/**
 * A progress bar on stderr for long imports: percent of the file read, rows, rate and ETA.
 * On a terminal it redraws in place; otherwise it prints a line every few seconds.
 */
export interface ProgressState {
  bytes: number;
  totalBytes: number;
  rows: number;
  accepted: number;
  rejected: number;
}

const WIDTH = 28;

function duration(s: number): string {
  if (!Number.isFinite(s)) return "--";
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

export function renderProgress(p: ProgressState, elapsedMs: number): string {
  const fraction = p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : 0;
  const filled = Math.round(fraction * WIDTH);
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? p.rows / seconds : 0;
  const eta = fraction > 0 ? (seconds * (1 - fraction)) / fraction : Number.POSITIVE_INFINITY;
  return (
    `[${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ` +
    `${p.rows.toLocaleString("en-US")} rows (${p.accepted.toLocaleString("en-US")} ok, ` +
    `${p.rejected.toLocaleString("en-US")} rejected)  ${Math.round(rate).toLocaleString("en-US")} rows/s  ` +
    `ETA ${fraction >= 1 ? "0s" : duration(eta)}`
  );
}

export class ProgressBar {
  private readonly started = Date.now();
  private last = 0;
  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly enabled: boolean,
  ) {}

  update(p: ProgressState, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    const tty = this.tty;
    if (!force && now - this.last < (tty ? 100 : 2000)) return;
    this.last = now;
    const text = renderProgress(p, now - this.started);
    this.write(tty ? `\r${text}\x1b[K` : `${text}\n`);
  }

  done(p: ProgressState): void {
    if (!this.enabled) return;
    this.update(p, true);
    if (this.tty) this.write("\n");
  }
}
