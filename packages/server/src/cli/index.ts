#!/usr/bin/env node
import { type Config, ConfigError, loadConfig } from "../config.js";
import { restrictNewFileModes } from "../storage/data-dir.js";
import { buildProgram, failureMessage } from "./program.js";

// Every command may create the database, its -wal/-shm files or the key file (docs/security.md §Files on disk).
restrictNewFileModes();

async function run(fn: (config: Config) => Promise<void>) {
  try {
    await fn(loadConfig());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatehouse: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    const message = failureMessage(err);
    process.stderr.write(`gatehouse: ${message ?? (err as Error).stack ?? err}\n`);
    process.exit(1);
  }
}

await buildProgram(run).parseAsync();
