// Runs every *.test.ts under packages/*/test and tests/ with Node's test runner (tsx loader).
// Node 20's --test takes no globs, so the files are listed here.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const roots = ["packages/protocol/test", "packages/server/test", "packages/sdk/test", "tests"];
const only = process.argv.slice(2);
const files = [];
function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith(".test.ts") && (only.length === 0 || only.some((o) => p.includes(o))))
      files.push(p);
  }
}
roots.forEach(walk);
files.sort();
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
);
process.exit(result.status ?? 1);
