import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type SQLite from "better-sqlite3";

/** How often the background connection checkpoints the WAL. */
const INTERVAL_MS = 100;

/**
 * Runs in a worker thread with its own connection to the same file. A PASSIVE checkpoint never
 * blocks the server's reads or writes; it copies committed pages from the WAL into the database
 * and, in `synchronous=NORMAL`, does the fsyncs — which is why it must not run on the event loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const checkpoint = () => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage("stopped");
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the WAL threshold: better-sqlite3 is synchronous, so that commit — and every request
 * behind it — waited for the page copy and two fsyncs (measured: most of the time of a write path).
 * Here the server's connection never checkpoints; a worker thread does, every 100 ms. If the worker
 * fails, the connection goes back to automatic checkpoints, so the WAL never grows unchecked.
 */
export function startCheckpointer(sqlite: SQLite.Database, file: string): Checkpointer {
  const require = createRequire(import.meta.url);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: require.resolve("better-sqlite3"), file, intervalMs: INTERVAL_MS },
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  sqlite.pragma("wal_autocheckpoint = 0");
  let stopped = false;
  const fallBack = () => {
    if (!stopped && sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
  };
  worker.on("error", fallBack);
  worker.on("exit", fallBack);
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once("message", () => void worker.terminate().then(done, done));
        worker.once("exit", done);
        worker.postMessage("stop");
      });
      if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
    },
  };
}
