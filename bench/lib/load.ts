import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadJob, LoadResult } from "./load-types.js";

const worker = fileURLToPath(new URL("./load-worker.ts", import.meta.url));

/** Runs one autocannon job in a separate process (so it never shares an event loop with a server). */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(worker, [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let settled = false;
    const timer = setTimeout(
      () => {
        child.kill("SIGKILL");
        if (!settled) reject(new Error("load generator did not finish in time"));
        settled = true;
      },
      (job.warmupSec + job.windows * job.durationSec + 60) * 1000,
    );
    child.once("message", (msg: { ok: boolean; result?: LoadResult; error?: string }) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      if (msg.ok) resolve(msg.result!);
      else reject(new Error(`load generator failed: ${msg.error}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`load generator exited with ${code}`));
      settled = true;
    });
    child.send(job);
  });
}
