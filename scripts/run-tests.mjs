// Runs every *.test.ts under packages/*/test and tests/ with Node's test runner.
// Node 20's --test takes no globs, so the files are listed here.
//
// The tests run as JavaScript: esbuild transpiles every .ts file of the packages' src/ and test/
// directories and of tests/ once (well under a second) into a mirror tree under .tmp/, next to a
// link to each .ts file, and node runs that. tsx, which does the same per file at import time,
// costs every process about a second of CPU in its loader hooks, and a run starts over a hundred
// processes (one per test file, and the servers and CLI commands the tests spawn).
// `node --import tsx --test <file>` still runs any single test file straight from source.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";

const roots = ["packages/protocol/test", "packages/server/test", "packages/sdk/test", "tests"];
const only = process.argv.slice(2);

function walk(dir, keep, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, keep, out);
    else if (keep(p)) out.push(p);
  }
  return out;
}

const files = roots
  .flatMap((root) => walk(root, (p) => p.endsWith(".test.ts")))
  .filter((p) => only.length === 0 || only.some((o) => p.includes(o)))
  .sort();

// One mirror per run, so two runs in one checkout do not trip over each other.
fs.mkdirSync(".tmp", { recursive: true });
const mirror = fs.mkdtempSync(path.join(".tmp", "tests-"));
let status = 1;
try {
  const sources = [
    ...fs.readdirSync("packages").flatMap((p) => walk(path.join("packages", p, "src"), isTs)),
    ...roots.flatMap((root) => walk(root, isTs)),
  ];
  buildSync({
    entryPoints: sources,
    outdir: mirror,
    outbase: ".",
    format: "esm",
    platform: "node",
    target: `node${process.versions.node}`,
    sourcemap: "inline",
    sourcesContent: false,
    logLevel: "warning",
  });
  // What the code finds next to itself: the .ts sources (spawned with tsx, bundled by esbuild),
  // package.json files (module type, version), the README, node_modules (its .bin).
  for (const file of [...sources, "package.json", "README.md", "node_modules"]) link(file);
  for (const p of fs.readdirSync("packages")) link(path.join("packages", p, "package.json"));

  const result = spawnSync(
    process.execPath,
    [
      "--enable-source-maps",
      "--test",
      "--test-concurrency=2",
      "--test-reporter=spec",
      ...files.map((f) => path.join(mirror, f.replace(/\.ts$/, ".js"))),
    ],
    { stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
  );
  status = result.status ?? 1;
} finally {
  fs.rmSync(mirror, { recursive: true, force: true });
}
process.exit(status);

function isTs(p) {
  return p.endsWith(".ts") && !p.endsWith(".d.ts");
}

function link(file) {
  if (!fs.existsSync(file)) return;
  const to = path.join(mirror, file);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.symlinkSync(path.relative(path.dirname(to), file), to);
}
