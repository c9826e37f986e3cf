/**
 * Ceiling 3: the raw argon2id hash rate with Gatehouse's parameters, `inFlight` hashes at a time,
 * for a bounded duration. Runs in its own process; prints one JSON line.
 *   node --import tsx bench/lib/argon2-rate.ts <seconds> <inFlight>
 */
import fs from "node:fs";
import { hash } from "@node-rs/argon2";
import { ARGON2_OPTIONS } from "../gatehouse/seed.js";

const seconds = Number(process.argv[2] ?? 5);
const inFlight = Number(process.argv[3] ?? 2);
const latencies: number[] = [];
const end = performance.now() + seconds * 1000;
const start = performance.now();
async function lane(n: number) {
  let i = 0;
  while (performance.now() < end) {
    const t = performance.now();
    await hash(`password-${n}-${i++}`, ARGON2_OPTIONS);
    latencies.push(performance.now() - t);
  }
}
await Promise.all(Array.from({ length: inFlight }, (_, n) => lane(n)));
const elapsed = (performance.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
process.stdout.write(
  `${JSON.stringify({ hashes: latencies.length, seconds: elapsed, rps: latencies.length / elapsed, p50Ms: pct(50), p99Ms: pct(99), rssMb: Math.round(rssKb / 102.4) / 10 })}\n`,
);
