import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

/** A server process under test: its pid for /proc readings, its base URL, and how to stop it. */
export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  port: number;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

/** Kill every child this process started (by pid), e.g. on Ctrl-C or a failed setup. */
export function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  children.clear();
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; we release it for the child to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Reads VmRSS / VmHWM (peak) of a process, in MB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rssMb: round1(kb("VmRSS") / 1024), peakMb: round1(kb("VmHWM") / 1024) };
}

/**
 * Resets a process's VmHWM to its current RSS (`echo 5 > /proc/<pid>/clear_refs`, Linux 4.0+) and
 * returns the peak it had reached, in MB; without the reset (not permitted) the peak keeps growing.
 */
export function resetPeak(pid: number): number {
  const { peakMb } = memoryOf(pid);
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    // the next reading is the process's peak since it started, as without the reset
  }
  return peakMb;
}

/** CPU time (user + system, seconds) a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface SpawnServerOptions {
  name: string;
  /** Arguments to `node` (script and its arguments; node flags first). */
  args: string[];
  env?: NodeJS.ProcessEnv;
  port: number;
  /** Path answering 200 once the server is ready. */
  readyPath?: string;
  /** Where the child's stdout/stderr go (a file path); defaults to /dev/null. */
  logFile?: string;
  timeoutMs?: number;
  cwd?: string;
}

/** Starts `node <args>` listening on 127.0.0.1:<port> and waits until `readyPath` answers 200. */
export async function spawnServer(opts: SpawnServerOptions): Promise<ServerProcess> {
  const out = fs.openSync(opts.logFile ?? "/dev/null", "a");
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  children.add(child);
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `exited with ${signal ?? code}`;
    children.delete(child);
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      const tail = opts.logFile ? fs.readFileSync(opts.logFile, "utf8").slice(-2000) : "";
      throw new Error(`${opts.name} ${exited} before it was ready\n${tail}`);
    }
    try {
      const res = await fetch(url + (opts.readyPath ?? "/health"));
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${opts.name} was not ready within ${opts.timeoutMs ?? 60_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: opts.name,
    pid: child.pid!,
    url,
    port: opts.port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
