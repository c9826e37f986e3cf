// Runs every *.test.ts under packages/*/test and tests/ with Node's test runner.
// Node 20's --test takes no globs, so the files are listed here.
//
// The tests run as JavaScript: esbuild transpiles every .ts file of the packages' src/ and test/
// directories and of tests/ once (well under a second) into a mirror tree under .tmp/, next to a
// link to each .ts file, and node runs that. tsx, which does the same per file at import time,
// costs every process about a second of CPU in its loader hooks, and a run starts over a hundred
// processes (one per test file, and the servers and CLI commands the tests spawn).
// `node --import tsx --test <file>` still runs any single test file straight from source.
import fs from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import { run } from "node:test";
import { spec } from "node:test/reporters";
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

// The longest files (10-40 s each on a 2-core machine, the rest take under 10 s) start first: two
// files run at a time, and a long one started near the end would run on alone while the other
// worker has nothing left to do.
const longest = [
  "reliability/crash",
  "reliability/cluster-auth",
  "reliability/cluster-codes",
  "reliability/events-crash",
  "cli/import-100k",
  "packaging/install",
  "cli/commands",
  "reliability/fuzz",
  "compat/auth",
  "reliability/attacks-input",
  "cli/admin",
];
const rank = (p) => {
  const i = longest.findIndex((name) => p.includes(`/${name}.test.ts`));
  return i === -1 ? longest.length : i;
};
const files = roots
  .flatMap((root) => walk(root, (p) => p.endsWith(".test.ts")))
  .filter((p) => only.length === 0 || only.some((o) => p.includes(o)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

// One mirror per run, so two runs in one checkout do not trip over each other.
fs.mkdirSync(".tmp", { recursive: true });
const mirror = fs.mkdtempSync(path.join(".tmp", "tests-"));
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
]) {
  process.once(signal, () => {
    fs.rmSync(mirror, { recursive: true, force: true });
    process.exit(code);
  });
}
let failed = false;
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

  // Through run(), not `node --test`: the command line sorts the files by path.
  process.env.NODE_ENV = "test";
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --enable-source-maps`.trim();
  const tests = run({
    files: files.map((f) => path.resolve(mirror, f.replace(/\.ts$/, ".js"))),
    concurrency: 2,
  });
  tests.on("test:fail", (data) => {
    if (!data.todo) failed = true;
  });
  const report = tests.compose(spec);
  report.pipe(process.stdout);
  await finished(report);
} finally {
  fs.rmSync(mirror, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

function isTs(p) {
  return p.endsWith(".ts") && !p.endsWith(".d.ts");
}

function link(file) {
  if (!fs.existsSync(file)) return;
  const to = path.join(mirror, file);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.symlinkSync(path.relative(path.dirname(to), file), to);
}
