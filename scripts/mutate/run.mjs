// `npm run mutate [-- <module>…]`: mutation testing of the security-critical modules with StrykerJS
// (docs/reliability.md §Mutation testing). Not part of `npm test`: a module takes minutes.
//
// Each module runs on its own: its source files are mutated in a sandbox copy and only its test
// files run, as `node --import tsx --test-reporter=tap <file>` (the tap runner; its hook records
// which mutants each test file reaches, so a mutant runs only the files that cover it). Mutants
// that do not compile are dropped first by the TypeScript checker. One worker, niced: the machine
// is shared (`--concurrency=N` for more when it is idle). Incremental: a re-run reuses the results of unchanged code and tests from
// reports/mutation/<module>/incremental.json (`--force` starts over).
// Test files run their SQLite half only, unless `--postgres` (see below).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Stryker } from "@stryker-mutator/core";
import { modules } from "./modules.mjs";

const args = process.argv.slice(2);
const force = args.includes("--force");
// `--concurrency=N`: N workers instead of one, when the machine is otherwise idle.
const concurrency = Number(args.find((a) => a.startsWith("--concurrency="))?.split("=")[1] ?? 1);
// `--mutate=<file>:<from>-<to>,…`: only these lines of the module's files (Stryker's own range
// syntax), to measure a change without the whole module; reported under <module>-lines.
const only = args
  .find((a) => a.startsWith("--mutate="))
  ?.slice("--mutate=".length)
  .split(",");
const names = args.filter((a) => !a.startsWith("--"));
for (const name of names) {
  if (!modules[name]) {
    console.error(`unknown module "${name}"; known: ${Object.keys(modules).join(", ")}`);
    process.exit(2);
  }
}
const selected = names.length > 0 ? names : Object.keys(modules);

// What the test processes see: the SQLite half of each suite (the mutated services sit above the
// repositories, whose dialect-specific code is not mutated here; `--postgres` adds the PostgreSQL
// half, which doubles the time), and protocol from source.
process.env.CI = "true";
process.env.GATEHOUSE_TEST_DIALECTS = args.includes("--postgres") ? "sqlite,postgres" : "sqlite";
process.env.NODE_ENV = "test";
process.env.TSX_TSCONFIG_PATH = "scripts/mutate/tsconfig.json";
os.setPriority(10);

const rows = [];
for (const name of selected) {
  const { tests } = modules[name];
  const mutate = only ?? modules[name].mutate;
  const dir = path.join("reports", "mutation", only ? `${name}-lines` : name);
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const stryker = new Stryker({
    mutate,
    testRunner: "tap",
    tap: { testFiles: tests, nodeArgs: ["--import", "tsx", "--test-reporter=tap"], forceBail: true },
    checkers: ["typescript"],
    tsconfigFile: mutate.every((f) => f.startsWith("packages/protocol/"))
      ? "packages/protocol/tsconfig.json"
      : "packages/server/tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: "perTest",
    concurrency,
    // A mutant times out after (its tests' time in the unmutated run) × 6 + 30 s. The unmutated run
    // is timed once, at the start; on a shared machine the load can rise five-fold after it, and with
    // Stryker's defaults (× 1.5 + 5 s) slow tests were then counted as hanging mutants (killed).
    // A real hang costs a minute or so; a survivor is never hidden as a timeout.
    timeoutMS: 30000,
    timeoutFactor: 6,
    // The first, unmutated run of every test file: on a loaded shared machine it takes longer
    // than Stryker's default five minutes for a module of six or seven suites.
    dryRunTimeoutMinutes: 30,
    incremental: true,
    force,
    incrementalFile: path.join(dir, "incremental.json"),
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: path.join(dir, "index.html") },
    jsonReporter: { fileName: path.join(dir, "mutation.json") },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    tempDirName: ".stryker-tmp",
    ignorePatterns: ["dist", ".tmp", "reports", "bench", "data", "*.tsbuildinfo", "packages/sdk"],
    cleanTempDir: true,
    plugins: ["@stryker-mutator/tap-runner", "@stryker-mutator/typescript-checker"],
  });
  const results = await stryker.runMutationTest();
  const seconds = Math.round((Date.now() - started) / 1000);
  const count = (status) => results.filter((r) => r.status === status).length;
  const row = {
    module: only ? `${name} (${only.join(", ")})` : name,
    mutants: results.length,
    killed: count("Killed"),
    survived: count("Survived"),
    timeout: count("Timeout"),
    noCoverage: count("NoCoverage"),
    compileErrors: count("CompileError"),
    runtimeErrors: count("RuntimeError"),
    seconds,
  };
  const valid = row.killed + row.timeout + row.survived + row.noCoverage;
  row.score = valid === 0 ? 100 : Math.round(((row.killed + row.timeout) / valid) * 1000) / 10;
  rows.push(row);
  fs.writeFileSync(path.join(dir, "summary.json"), `${JSON.stringify(row, null, 2)}\n`);
  const left = results.filter((r) => r.status === "Survived" || r.status === "NoCoverage");
  for (const r of left) {
    console.log(
      `${r.status.padEnd(10)} ${r.fileName}:${r.location.start.line}:${r.location.start.column + 1} ` +
        `${r.mutatorName}: ${JSON.stringify(r.replacement ?? "")}`,
    );
  }
}

console.log("\n| Module | Mutants | Killed | Survived | Timeout | No coverage | Score | Wall time |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.module} | ${r.mutants - r.compileErrors - r.runtimeErrors} | ${r.killed} | ${r.survived} | ${r.timeout} | ${r.noCoverage} | ${r.score} % | ${r.seconds} s |`,
  );
}
// Below the 85 % target is a warning, not a failure: a small module can fall short on equivalent
// mutants alone (docs/reliability.md §Mutation testing lists them).
for (const r of rows.filter((r) => r.score < 85)) {
  console.log(
    `\n${r.module}: ${r.score} % is below the 85 % target; check its survivors against docs/reliability.md`,
  );
}
