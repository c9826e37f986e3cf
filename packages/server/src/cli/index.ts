#!/usr/bin/env node
import { type Config, ConfigError, loadConfig } from "../config.js";
import { restrictNewFileModes } from "../storage/data-dir.js";
import { oneLine, printErr } from "./io.js";
import { buildProgram, failureMessage } from "./program.js";

// Every command may create the database, its -wal/-shm files or the key file (docs/security.md §Files on disk).
restrictNewFileModes();

async function run(fn: (config: Config) => Promise<void>) {
  try {
    await fn(loadConfig());
  } catch (err) {
    if (err instanceof ConfigError) {
      printErr(`gatehouse: invalid configuration: ${oneLine(err.message)}\n`);
      process.exit(2);
    }
    const message = failureMessage(err);
    printErr(
      `gatehouse: ${message !== undefined ? oneLine(message) : ((err as Error).stack ?? String(err))}\n`,
    );
    process.exit(1);
  }
}

await buildProgram(run).parseAsync();
