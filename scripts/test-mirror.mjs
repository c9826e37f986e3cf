// The test files and their transpiled mirror, shared by run-tests.mjs and test-times.mjs.
//
// The tests run as JavaScript: esbuild transpiles every .ts file of the packages' src/ and test/
// directories and of tests/ once (well under a second) into a mirror tree under .tmp/, next to a
// link to each .ts file, and node runs that. tsx, which does the same per file at import time,
// costs every process about a second of CPU in its loader hooks, and a run starts over a hundred
// processes (one per test file, and the servers and CLI commands the tests spawn).
// `node --import tsx --test <file>` still runs any single test file straight from source.
import fs from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";

const roots = ["packages/protocol/test", "packages/server/test", "packages/sdk/test", "tests"];

function walk(dir, keep, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, keep, out);
    else if (keep(p)) out.push(p);
  }
  return out;
}

/** Every *.test.ts file whose path contains one of `only` (all of them when `only` is empty). */
export function testFiles(only) {
  return roots
    .flatMap((root) => walk(root, (p) => p.endsWith(".test.ts")))
    .filter((p) => only.length === 0 || only.some((o) => p.includes(o)));
}

/**
 * Transpiles into a new mirror under .tmp/ (one per run, so two runs in one checkout do not trip
 * over each other); `js(file)` is a test file's path there, `remove()` deletes it (also on SIGINT
 * and SIGTERM).
 */
export function buildMirror() {
  fs.mkdirSync(".tmp", { recursive: true });
  const mirror = fs.mkdtempSync(path.join(".tmp", "tests-"));
  const remove = () => fs.rmSync(mirror, { recursive: true, force: true });
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ]) {
    process.once(signal, () => {
      remove();
      process.exit(code);
    });
  }
  const sources = [
    ...fs.readdirSync("packages").flatMap((p) => walk(path.join("packages", p, "src"), isTs)),
    ...roots.flatMap((root) => walk(root, isTs)),
  ];
  try {
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
  } catch (err) {
    remove();
    throw err;
  }
  const link = (file) => {
    if (!fs.existsSync(file)) return;
    const to = path.join(mirror, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(to), file), to);
  };
  // What the code finds next to itself: the .ts sources (spawned with tsx, bundled by esbuild),
  // package.json files (module type, version), the README, node_modules (its .bin).
  for (const file of [...sources, "package.json", "README.md", "node_modules"]) link(file);
  for (const p of fs.readdirSync("packages")) link(path.join("packages", p, "package.json"));
  return { dir: mirror, js: (file) => path.resolve(mirror, file.replace(/\.ts$/, ".js")), remove };
}

function isTs(p) {
  return p.endsWith(".ts") && !p.endsWith(".d.ts");
}
