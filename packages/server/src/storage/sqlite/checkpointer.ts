import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import type SQLite from "better-sqlite3";
import type { CheckpointWorkerData, FromCheckpointWorker, ToCheckpointWorker } from "./checkpoint-worker.js";

/** How often the background connection checkpoints the WAL. */
const INTERVAL_MS = 100;
/** The worker offers to leave after the WAL has taken no new frame for this long. */
const IDLE_EXIT_MS = 10_000;
/** While the worker is away, how often the server's connection is asked whether it wrote. */
const WATCH_MS = 250;
/**
 * A WAL this long (in frames; 32 MB of 4 KB pages, under journal_size_limit) is restarted by the
 * server's own connection (see startCheckpointer).
 */
const RESTART_FRAMES = 8192;

/** Run from source (`node --import tsx`, or a single test file) rather than built. */
const FROM_SOURCE = fileURLToPath(import.meta.url).endsWith(".ts");
/** The worker's module beside this one: built (dist/, the test runner's transpiled mirror) or source. */
const WORKER_URL = new URL(`./checkpoint-worker.${FROM_SOURCE ? "ts" : "js"}`, import.meta.url);

function newWorker(options: WorkerOptions): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL, options);
  // Node 20 starts a worker without its process's --import hooks, so it could not load a .ts
  // module: register tsx's loader in the worker first (tsx is there, it runs this file).
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const source = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}

/**
 * Copies what the worker has not yet (the commits since its pass) and lets the next write start
 * the WAL over. RESTART waits for readers of the old frames, here never: with a reader (another
 * process) it answers busy and the worker asks again after its next pass.
 */
function restartWal(sqlite: SQLite.Database): void {
  const timeout = sqlite.pragma("busy_timeout", { simple: true });
  sqlite.pragma("busy_timeout = 0");
  try {
    sqlite.pragma("wal_checkpoint(RESTART)");
  } finally {
    sqlite.pragma(`busy_timeout = ${Number(timeout)}`);
  }
}

export interface Checkpointer {
  /** Whether the worker thread is running (it leaves while the server's connection writes nothing). */
  readonly running: boolean;
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  idleExitMs?: number;
  restartFrames?: number;
}

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the WAL threshold: better-sqlite3 is synchronous, so that commit — and every request
 * behind it — waited for the page copy and two fsyncs (measured: most of the time of a write path).
 * Here the server's connection never checkpoints; a worker thread does, every 100 ms. If the worker
 * fails, the connection goes back to automatic checkpoints, so the WAL never grows unchecked.
 *
 * A worker thread is a second V8 isolate: 6–20 MB of resident memory that a server taking no
 * writes need not hold. When the WAL is quiet the worker offers to leave; the server notes its
 * connection's change count (SQLite's total_changes()) and lets it go after one last checkpoint.
 * Every 250 ms the count is read again (no I/O): the first write after brings the worker back.
 *
 * SQLite starts the WAL over only when a write begins while every frame has been copied. The
 * worker's copy never catches up with a server that writes without a pause (its commits land
 * while the copy runs), so the WAL grew by every page written — 750 MB within a minute of
 * change-phone load — until the writes paused. Once the WAL holds RESTART_FRAMES, the worker asks
 * the server's connection, which copies what the worker has not yet (a few ms of commits) and
 * syncs on the event loop, between two of its own transactions (restartWal).
 */
export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  options: CheckpointerOptions = {},
): Checkpointer {
  const workerData: CheckpointWorkerData = {
    file,
    intervalMs: INTERVAL_MS,
    idleExitMs: options.idleExitMs ?? IDLE_EXIT_MS,
    restartFrames: options.restartFrames ?? RESTART_FRAMES,
  };
  const changes = sqlite.prepare("SELECT total_changes() AS n").pluck();
  sqlite.pragma("wal_autocheckpoint = 0");
  let stopped = false;
  let worker: Worker | undefined;
  let watcher: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  const fallBack = () => {
    if (!stopped && sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
  };
  const watch = (since: unknown) => {
    watcher = setInterval(() => {
      if (stopped || !sqlite.open || changes.get() === since) return;
      clearInterval(watcher);
      watcher = undefined;
      start();
    }, WATCH_MS);
    watcher.unref();
  };
  const start = () => {
    const w = newWorker({
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    w.unref();
    worker = w;
    // Writes before this count are covered by the worker's last checkpoint; any after bring it back.
    let leftAt: unknown;
    const tell = (message: ToCheckpointWorker) => w.postMessage(message);
    w.on("message", (message: FromCheckpointWorker) => {
      if (message === "restart") {
        // The worker waits meanwhile, so the two copies do not meet.
        if (!stopped && sqlite.open && !sqlite.inTransaction) restartWal(sqlite);
        tell("resume");
      } else if (message === "quiet" && !stopped) {
        leftAt = changes.get();
        tell("leave");
      } else if (message === "left" || message === "stopped") {
        void w.terminate();
      }
    });
    w.on("error", fallBack);
    w.on("exit", () => {
      worker = undefined;
      if (stopped) return;
      if (leftAt !== undefined) watch(leftAt);
      else fallBack();
    });
  };
  start();

  return {
    get running() {
      return worker !== undefined;
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        if (watcher) clearInterval(watcher);
        const w = worker;
        if (w) {
          await new Promise<void>((resolve) => {
            w.once("exit", () => resolve());
            w.postMessage("stop" satisfies ToCheckpointWorker);
          });
        }
        if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
      })();
      return stopping;
    },
  };
}
