import { runLoad } from "./load.js";
import type { LoadJob } from "./load-types.js";
import { cpuSecondsOf, memoryOf } from "./proc.js";
import { type Counts, roundTripsPer, settledCounts } from "./round-trips.js";

export interface Settings {
  quick: boolean;
  /** Seconds per measured run. */
  durationSec: number;
  warmupSec: number;
  runs: number;
  connections: number;
}

/** One line of the table; `ratio` is filled in once every ceiling is known. */
export interface Row {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  rssBeforeMb: number;
  rssMb: number;
  /** VmHWM at the end: the peak since the scenario began where the group resets it (gatehouse.ts). */
  peakRssMb: number;
  ceiling: string;
  ratio: number;
  /** Per-window requests/s, to judge the noise. */
  runs: number[];
  /** Server CPU (user + system) per request, ms: steadier than req/s on a shared machine. */
  cpuMs?: number;
  /** PostgreSQL: statements sent to the database per unit of work (the server's own count). */
  roundTrips?: number;
  note?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface HttpScenario {
  name: string;
  ceiling: string;
  /** The server process whose memory is read from /proc. */
  pid: number;
  url: string;
  /** The load to apply (plans that use items once need enough for warm-up and every window). */
  job(): Promise<Omit<LoadJob, "url" | "connections" | "durationSec" | "warmupSec" | "windows">>;
  /** A sample request; must throw unless it gets the expected success answer. */
  verify?: () => Promise<void>;
  /** Runs before the first sample request (e.g. a setting the scenario needs); `after` undoes it. */
  before?: () => Promise<void>;
  /** Runs once the scenario is over, measured or failed. */
  after?: () => Promise<void>;
  /** Requests per unit of work (2 for a request pair, counted as one). */
  requestsPerUnit?: number;
  connections?: number;
  /** Runs alongside the measured load for `seconds` (e.g. a sign-in burst); not measured itself. */
  background?: (seconds: number) => Promise<unknown>;
  /**
   * Slow requests (a password hash each): at 50 connections one request can take seconds, so
   * windows last at least 10 s (6 s quick) for hundreds of requests to complete.
   */
  slow?: boolean;
  /** Read the server's round trips to PostgreSQL from its /metrics before and after the load. */
  countRoundTrips?: boolean;
  /** Called with the scenario's row once measured (a later `@50%` line loads at half its rate). */
  measuredAs?: (row: Row) => void;
  note?: string;
}

export type Log = (line: string) => void;

/** Seconds of one measured window for a scenario. */
export function windowSec(s: { slow?: boolean }, settings: Settings): number {
  return s.slow ? Math.max(settings.quick ? 6 : 10, settings.durationSec * 2) : settings.durationSec;
}

/**
 * Warm-up, then `runs` consecutive windows of one continuous load; the median window's
 * requests/s and the median p50/p99; RSS of the server before and after.
 */
export async function measureHttp(s: HttpScenario, settings: Settings, log: Log): Promise<Row> {
  await s.before?.();
  try {
    return await measured(s, settings, log);
  } finally {
    await s.after?.();
  }
}

async function measured(s: HttpScenario, settings: Settings, log: Log): Promise<Row> {
  await s.verify?.();
  const before = memoryOf(s.pid);
  const perUnit = s.requestsPerUnit ?? 1;
  const durationSec = windowSec(s, settings);
  const warmupSec = settings.warmupSec * (s.slow ? 3 : 1);
  const job: LoadJob = {
    ...(await s.job()),
    url: s.url,
    connections: s.connections ?? settings.connections,
    warmupSec,
    windows: settings.runs,
    durationSec,
  };
  const countsBefore: Counts | undefined = s.countRoundTrips ? await settledCounts(s.url) : undefined;
  const cpuBefore = cpuSecondsOf(s.pid);
  const [result] = await Promise.all([runLoad(job), s.background?.(warmupSec + settings.runs * durationSec)]);
  const cpuSec = cpuSecondsOf(s.pid) - cpuBefore;
  const countsAfter = countsBefore ? await settledCounts(s.url) : undefined;
  await s.verify?.();
  const after = memoryOf(s.pid);
  const w = result.windows;
  const errors = result.errors + w.reduce((n, x) => n + x.non2xx + x.bodyErrors, 0);
  if (errors > 0) log(`  ! ${s.name}: ${errors} errors, e.g. ${result.samples.slice(0, 2).join(" | ")}`);
  if (result.exhausted)
    log(`  ! ${s.name}: ran out of prepared items; ${w.length} of ${settings.runs} windows complete`);
  if (w.length === 0) throw new Error(`${s.name}: no complete measurement window`);
  const row: Row = {
    name: s.name,
    rps: median(w.map((x) => x.rps / perUnit)),
    p50Ms: median(w.map((x) => x.p50Ms)),
    p99Ms: median(w.map((x) => x.p99Ms)),
    errors,
    rssBeforeMb: before.rssMb,
    rssMb: after.rssMb,
    peakRssMb: after.peakMb,
    ceiling: s.ceiling,
    ratio: 0,
    runs: w.map((x) => Math.round(x.rps / perUnit)),
    note: s.note,
  };
  // Server CPU per unit of work (approximate: the warm-up's requests are estimated at the median rate).
  const served = w.reduce((n, x) => n + x.requests, 0) + row.rps * perUnit * warmupSec;
  const cpuMs = served > 0 ? ((cpuSec * 1000) / served) * perUnit : 0;
  row.cpuMs = Math.round(cpuMs * 1000) / 1000;
  if (countsBefore && countsAfter) row.roundTrips = roundTripsPer(countsBefore, countsAfter, perUnit);
  const trips = row.roundTrips === undefined ? "" : `, ${row.roundTrips} round trips`;
  s.measuredAs?.(row);
  log(
    `  ${s.name}: ${Math.round(row.rps)}/s, server CPU ${cpuMs.toFixed(2)} ms${trips} each, p50 ${row.p50Ms} ms p99 ${row.p99Ms} ms windows [${row.runs.join(", ")}] rss ${row.rssBeforeMb}→${row.rssMb} MB, peak ${row.peakRssMb} MB`,
  );
  return row;
}
