#!/usr/bin/env node
import { Command } from "commander";
import { ConfigError, loadConfig } from "../config.js";
import { ApiError } from "../http/api-error.js";
import { SERVER_VERSION } from "../version.js";
import { registerAdminCommands } from "./admin.js";
import { infoCommand } from "./info.js";
import { migrateCommand } from "./migrate.js";
import { CliError } from "./shared.js";
import { startCommand } from "./start.js";

const program = new Command()
  .name("gatehouse")
  .description(
    "Gatehouse: a self-hosted identity server speaking the GenAuth V3 API.\nConfigured by GATEHOUSE_* environment variables (see the README).",
  )
  .version(SERVER_VERSION);

program
  .command("start")
  .description("Migrate the database, bootstrap the default pool and serve HTTP")
  .action(() => run(startCommand));
program
  .command("migrate")
  .description("Apply pending database migrations and exit")
  .action(() => run(migrateCommand));
program
  .command("info")
  .description("Print the default pool's management keys and application credentials")
  .option("--json", "print bootstrap.json's object")
  .action((opts: { json?: boolean }) => run((config) => infoCommand(config, opts)));

registerAdminCommands(program, run);

async function run(fn: (config: ReturnType<typeof loadConfig>) => Promise<void>) {
  try {
    await fn(loadConfig());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatehouse: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof ApiError || err instanceof CliError) {
      process.stderr.write(`gatehouse: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`gatehouse: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  }
}

await program.parseAsync();
