// Per-file time of the test suite: `node scripts/test-times.mjs [part of a path …]`.
//
// Runs each test file as `node --test` would under `npm test` (the transpiled mirror, NODE_ENV=test,
// two files at a time), and prints, slowest first, each file's wall time and CPU time: user + system
// of the file's process and of every process it waited for (spawned servers and commands), from
// getrusage through /usr/bin/time. On a machine shared with other work the wall times swing with
// the load; the CPU times move far less, so compare those between runs. Keep run-tests.mjs's
// `longest` list in line with the first rows. Not part of `npm test`.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildMirror, testFiles } from "./test-mirror.mjs";

const TIME = "/usr/bin/time";
if (!fs.existsSync(TIME)) throw new Error(`${TIME} is needed to read each file's CPU time`);
const files = testFiles(process.argv.slice(2));
const mirror = buildMirror();
const env = { ...process.env, NODE_ENV: "test", NODE_OPTIONS: "--enable-source-maps" };
const queue = [...files];
const rows = [];
let n = 0;

async function worker() {
  for (let file = queue.shift(); file; file = queue.shift()) {
    const usage = path.join(mirror.dir, `.usage-${n++}`);
    const started = Date.now();
    const code = await new Promise((resolve) => {
      const child = spawn(TIME, ["-o", usage, "-f", "%U %S", process.execPath, "--test", mirror.js(file)], {
        env,
        stdio: "ignore",
      });
      child.on("exit", resolve);
    });
    const wall = (Date.now() - started) / 1000;
    const [user, sys] = fs.readFileSync(usage, "utf8").trim().split("\n").pop().split(" ").map(Number);
    fs.rmSync(usage, { force: true });
    const row = { file, wall, cpu: user + sys, failed: code !== 0 };
    rows.push(row);
    console.error(`${row.failed ? "✖" : "✔"} ${file} ${wall.toFixed(1)} s, CPU ${row.cpu.toFixed(1)} s`);
  }
}

try {
  await Promise.all([worker(), worker()]);
} finally {
  mirror.remove();
}
rows.sort((a, b) => b.cpu - a.cpu);
console.log("cpu_s\twall_s\tfile");
for (const r of rows)
  console.log(`${r.cpu.toFixed(1)}\t${r.wall.toFixed(1)}\t${r.file}${r.failed ? "\t(failed)" : ""}`);
const sum = (k) => rows.reduce((t, r) => t + r[k], 0).toFixed(1);
console.log(`${sum("cpu")}\t${sum("wall")}\t${rows.length} files`);
process.exitCode = rows.some((r) => r.failed) ? 1 : 0;
