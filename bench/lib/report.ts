import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Row, Settings } from "./measure.js";
import { round1 } from "./proc.js";
import type { TargetCheck } from "./targets.js";

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  mode: string;
  connections: number;
  durationSec: number;
  runs: number;
  uvThreadpoolSize: string;
  gatehouseNodeFlags: string;
}

export function machineInfo(
  settings: Settings,
  loadStart: number[],
  threadpool: string,
  nodeFlags = "",
): Machine {
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageStart: loadStart.map(round1),
    loadAverageEnd: os.loadavg().map(round1),
    mode: settings.quick ? "quick" : "full",
    connections: settings.connections,
    durationSec: settings.durationSec,
    runs: settings.runs,
    uvThreadpoolSize: threadpool,
    gatehouseNodeFlags: nodeFlags,
  };
}

/** Fill in each row's ratio to its ceiling (rows measured in this same run). */
export function applyRatios(rows: Row[]): void {
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const r of rows) {
    const c = byName.get(r.ceiling);
    r.ratio = c && c.rps > 0 ? Math.round((r.rps / c.rps) * 1000) / 1000 : 0;
  }
}

const fmt = (n: number) => (n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function table(rows: Row[]): string {
  const head = [
    "scenario",
    "req/s",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "RSS before→after (peak) MB",
    "ceiling",
    "ratio",
    "server CPU ms/req",
    "PG round trips/req",
  ];
  const body = rows.map((r) => [
    r.name,
    fmt(r.rps),
    fmt(r.p50Ms),
    fmt(r.p99Ms),
    String(r.errors),
    r.rssBeforeMb
      ? `${Math.round(r.rssBeforeMb)}→${Math.round(r.rssMb)} (${Math.round(r.peakRssMb)})`
      : `${Math.round(r.rssMb)}`,
    r.ceiling,
    r.ratio ? `${(r.ratio * 100).toFixed(1)}%` : "—",
    r.cpuMs === undefined ? "—" : r.cpuMs.toFixed(2),
    r.roundTrips === undefined ? "—" : String(r.roundTrips),
  ]);
  return [head, head.map(() => "---"), ...body].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

export function targetsTable(checks: TargetCheck[]): string {
  const lines = ["| target | measured | met |", "| --- | --- | --- |"];
  for (const c of checks)
    lines.push(`| ${c.target} | ${c.measured} | ${c.met === undefined ? "n/a" : c.met ? "yes" : "**no**"} |`);
  return lines.join("\n");
}

/** `latest.json` in the shape, plus `latest.md` (the table, targets and machine) for the README. */
export function writeResults(dir: string, machine: Machine, rows: Row[], checks: TargetCheck[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const json = {
    machine,
    scenarios: rows.map((r) => ({
      name: r.name,
      rps: Math.round(r.rps * 10) / 10,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      errors: r.errors,
      rssMb: r.rssMb,
      peakRssMb: r.peakRssMb,
      ceiling: r.ceiling,
      ratio: r.ratio,
      ...(r.cpuMs === undefined ? {} : { cpuMsPerReq: r.cpuMs }),
      ...(r.roundTrips === undefined ? {} : { roundTrips: r.roundTrips }),
    })),
  };
  const jsonFile = path.join(dir, "latest.json");
  fs.writeFileSync(jsonFile, `${JSON.stringify(json, null, 2)}\n`);
  const md = [
    `Measured ${machine.date.slice(0, 10)} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}; ` +
      `${machine.mode} mode: autocannon ${machine.connections} connections, median of ${machine.runs} × ${machine.durationSec} s; ` +
      `load average ${machine.loadAverageStart.join("/")} at start, ${machine.loadAverageEnd.join("/")} at end.`,
    "",
    table(rows),
    "",
    targetsTable(checks),
    "",
  ].join("\n");
  const mdFile = path.join(dir, "latest.md");
  fs.writeFileSync(mdFile, md);
  return [jsonFile, mdFile];
}
