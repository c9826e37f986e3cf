// Runs every *.test.ts under packages/*/test and tests/ with Node's test runner, as JavaScript
// transpiled ahead of time (scripts/test-mirror.mjs). Node 20's --test takes no globs, so the
// files are listed here.
import { finished } from "node:stream/promises";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { buildMirror, testFiles } from "./test-mirror.mjs";

// The longest files start first: two files run at a time, and a long one started near the end
// would run on alone while the other worker has nothing left to do. Ordered by the CPU time
// `node scripts/test-times.mjs` measured (2026-12-07, 6-37 s each; cli/commands, whose servers
// outlasted their start timeout under that load, kept near its old place); rerun it on the list
// and on new heavy files.
const longest = [
  "reliability/crash",
  "cli/import-100k",
  "packaging/install",
  "reliability/events-crash",
  "reliability/cluster-auth",
  "reliability/cluster-codes",
  "hosted/browser",
  "reliability/fuzz",
  "cli/commands",
  "cli/admin",
  "reliability/attacks-input",
  "compat/auth",
];
const rank = (p) => {
  const i = longest.findIndex((name) => p.includes(`/${name}.test.ts`));
  return i === -1 ? longest.length : i;
};
const files = testFiles(process.argv.slice(2)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

const mirror = buildMirror();
let failed = false;
try {
  // Through run(), not `node --test`: the command line sorts the files by path.
  process.env.NODE_ENV = "test";
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --enable-source-maps`.trim();
  const tests = run({ files: files.map(mirror.js), concurrency: 2 });
  tests.on("test:fail", (data) => {
    if (!data.todo) failed = true;
  });
  const report = tests.compose(spec);
  report.pipe(process.stdout);
  await finished(report);
} finally {
  mirror.remove();
}
process.exitCode = failed ? 1 : 0;
