/**
 * Ceiling 3: the raw argon2id hash rate with Gatehouse's parameters, `inFlight` hashes at a time,
 * in a process of its own: a warm-up, then consecutive windows. Prints one JSON line.
 *   node --import tsx bench/lib/argon2-rate.ts <warmupSec> <windows> <windowSec> <inFlight>
 */
import fs from "node:fs";
import { hash } from "@node-rs/argon2";
import { ARGON2_OPTIONS } from "../gatehouse/seed.js";

const [warmupSec, windows, windowSec, inFlight] = process.argv.slice(2).map(Number);
const perWindow: number[][] = Array.from({ length: windows }, () => []);
const t0 = performance.now();
const end = t0 + (warmupSec + windows * windowSec) * 1000;
async function lane(n: number) {
  let i = 0;
  while (performance.now() < end) {
    const t = performance.now();
    await hash(`password-${n}-${i++}`, ARGON2_OPTIONS);
    const done = performance.now();
    const k = Math.floor(((done - t0) / 1000 - warmupSec) / windowSec);
    if (k >= 0 && k < windows) perWindow[k].push(done - t);
  }
}
await Promise.all(Array.from({ length: inFlight }, (_, n) => lane(n)));
const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const result = perWindow.map((xs) => {
  xs.sort((a, b) => a - b);
  return { rps: xs.length / windowSec, p50Ms: pct(xs, 50), p99Ms: pct(xs, 99) };
});
process.stdout.write(`${JSON.stringify({ windows: result, rssMb: Math.round(rssKb / 102.4) / 10 })}\n`);
