/**
 * The checkpoint thread (started by checkpointer.ts), with its own connection to the same file.
 * A PASSIVE checkpoint never blocks the server's reads or writes; it copies committed pages from
 * the WAL into the database and, in synchronous=NORMAL, does the fsyncs — which is why it must
 * not run on the event loop. When the WAL has been fully copied and took no new frame for a
 * while, the worker says "quiet"; told "leave", it checkpoints once more and ends. A long WAL it
 * hands to the server's connection ("restart", see startCheckpointer) and copies nothing until
 * told "resume".
 */
import { parentPort, workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";

export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
  idleExitMs: number;
  restartFrames: number;
}

/** Messages to the server's thread. */
export type FromCheckpointWorker = "restart" | "quiet" | "left" | "stopped";
/** Messages from the server's thread. */
export type ToCheckpointWorker = "resume" | "leave" | "stop";

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

function run(port: NonNullable<typeof parentPort>, data: CheckpointWorkerData): void {
  const db = new SQLite(data.file, { fileMustExist: true });
  const send = (message: FromCheckpointWorker) => port.postMessage(message);
  let lastFrames = -1;
  let quietSince = Date.now();
  let offered = false;
  let held = false;
  const checkpoint = () => {
    try {
      const [r] = db.pragma("wal_checkpoint(PASSIVE)") as CheckpointResult[];
      if (r.log >= data.restartFrames) {
        held = true;
        send("restart");
      }
      if (r.log !== lastFrames || r.checkpointed !== r.log) {
        lastFrames = r.log;
        quietSince = Date.now();
        offered = false;
      }
    } catch {
      quietSince = Date.now();
    }
  };
  const timer = setInterval(() => {
    if (held) return;
    checkpoint();
    if (!offered && Date.now() - quietSince >= data.idleExitMs) {
      offered = true;
      send("quiet");
    }
  }, data.intervalMs);
  let closed = false;
  port.on("message", (message: ToCheckpointWorker) => {
    if (message === "resume") {
      held = false;
      return;
    }
    if (!closed) {
      clearInterval(timer);
      checkpoint();
      db.close();
      closed = true;
    }
    send(message === "leave" ? "left" : "stopped");
  });
}

if (parentPort) run(parentPort, workerData as CheckpointWorkerData);
