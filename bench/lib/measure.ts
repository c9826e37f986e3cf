import { runLoad } from "./load.js";
import type { LoadJob, LoadResult } from "./load-types.js";
import { memoryOf } from "./proc.js";

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
  peakRssMb: number;
  ceiling: string;
  ratio: number;
  /** Per-run requests/s, to judge the noise. */
  runs: number[];
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
  /** Called per run (warm-up included): plans that use items once need fresh items each run. */
  job(run: number): Promise<Omit<LoadJob, "url" | "connections" | "durationSec">>;
  /** A sample request; must throw unless it gets the expected success answer. */
  verify?: () => Promise<void>;
  /** Requests per unit of work (2 for a request pair, counted as one). */
  requestsPerUnit?: number;
  connections?: number;
  /** Runs in parallel with each measured run (e.g. a sign-in burst); not measured itself. */
  background?: (durationSec: number) => Promise<unknown>;
  note?: string;
}

export type Log = (line: string) => void;

/** Warm-up, then `runs` measured runs; median requests/s and latencies; RSS before and after. */
export async function measureHttp(s: HttpScenario, settings: Settings, log: Log): Promise<Row> {
  await s.verify?.();
  const before = memoryOf(s.pid);
  const connections = s.connections ?? settings.connections;
  const perUnit = s.requestsPerUnit ?? 1;
  const run = async (i: number, durationSec: number): Promise<LoadResult> => {
    const job = { ...(await s.job(i)), url: s.url, connections, durationSec };
    const [r] = await Promise.all([runLoad(job), s.background?.(durationSec)]);
    return r;
  };
  if (settings.warmupSec > 0) await run(0, settings.warmupSec);
  const results: LoadResult[] = [];
  for (let i = 1; i <= settings.runs; i++) results.push(await run(i, settings.durationSec));
  await s.verify?.();
  const after = memoryOf(s.pid);
  const errors = results.reduce((n, r) => n + r.non2xx + r.errors + r.envelopeErrors, 0);
  const samples = [...new Set(results.flatMap((r) => r.samples))];
  if (errors > 0) log(`  ! ${s.name}: ${errors} errors, e.g. ${samples.slice(0, 2).join(" | ")}`);
  if (results.some((r) => r.exhausted))
    log(`  ! ${s.name}: ran out of prepared items before the end of a run`);
  const row: Row = {
    name: s.name,
    rps: median(results.map((r) => r.rps / perUnit)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    errors,
    rssBeforeMb: before.rssMb,
    rssMb: after.rssMb,
    peakRssMb: after.peakMb,
    ceiling: s.ceiling,
    ratio: 0,
    runs: results.map((r) => Math.round(r.rps / perUnit)),
    note: s.note,
  };
  log(
    `  ${s.name}: ${Math.round(row.rps)}/s p50 ${row.p50Ms} ms p99 ${row.p99Ms} ms runs [${row.runs.join(", ")}] rss ${row.rssBeforeMb}→${row.rssMb} MB`,
  );
  return row;
}
