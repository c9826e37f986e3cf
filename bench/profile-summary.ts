/**
 * Summarises V8 CPU profiles (`npm run bench -- --profile` writes them to bench/results/profiles):
 * self time by function and by package, heaviest first.
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [--busy]
 * `--busy` keeps only the 100 ms stretches in which the process was at least 80% busy: the load,
 * without the start-up, the seeding between scenarios and the idle-memory wait.
 */
import fs from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const busyOnly = args.includes("--busy");
const [file, topArg] = args.filter((a) => a !== "--busy");
if (!file) {
  console.error("usage: profile-summary.ts <file.cpuprofile> [top] [--busy]");
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const idleId = profile.nodes.find((n) => n.callFrame.functionName === "(idle)")?.id;
const BUCKET_US = 100_000;
const bucketOf: number[] = [];
const idleIn = new Map<number, number>();
const allIn = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  const b = Math.floor(at / BUCKET_US);
  bucketOf.push(b);
  allIn.set(b, (allIn.get(b) ?? 0) + dt);
  if (id === idleId) idleIn.set(b, (idleIn.get(b) ?? 0) + dt);
});
const kept = (i: number) => {
  if (!busyOnly) return true;
  const b = bucketOf[i]!;
  return (idleIn.get(b) ?? 0) <= 0.2 * (allIn.get(b) ?? 0);
};
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (kept(i)) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (url: string) => {
  if (!url) return "(native)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes("/packages/server/")) return "gatehouse";
  if (url.startsWith("node:")) return "node:internal";
  return url.split("/").slice(-2).join("/");
};
const fnKey = (n: Node) =>
  `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url)}:${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;

const byFn = new Map<string, number>();
const byPkg = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  byFn.set(fnKey(n), (byFn.get(fnKey(n)) ?? 0) + t);
  const pkg = n.callFrame.url ? where(n.callFrame.url) : n.callFrame.functionName;
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + t);
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}`,
    );
  }
};
// Library time charged to the nearest Gatehouse function above it ("who asked for it").
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const ownerOf = (id: number): Node | undefined => {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (n.callFrame.url.includes("/packages/server/")) return n;
  }
  return undefined;
};
const byOwner = new Map<string, number>();
for (const [id, t] of self) {
  const owner = ownerOf(id);
  const key = owner ? fnKey(owner) : `(outside Gatehouse code) ${where(byId.get(id)!.callFrame.url)}`;
  byOwner.set(key, (byOwner.get(key) ?? 0) + t);
}

console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show("self time by package", byPkg);
show("self time by function", byFn);
show("time by nearest Gatehouse function (its own and the library calls beneath it)", byOwner);
