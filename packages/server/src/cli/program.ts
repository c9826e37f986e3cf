import { Command } from "commander";
import type { Config } from "../config.js";
import type { ContextOptions } from "../context.js";
import { ApiError } from "../errors.js";
import { SERVER_VERSION } from "../version.js";
import { registerAdminCommands } from "./admin.js";
import { infoCommand } from "./info.js";
import { io, oneLine, print, printErr } from "./io.js";
import { migrateCommand } from "./migrate.js";
import type { Runner } from "./pool.js";
import { CliError, cliContextOptions } from "./shared.js";
import { startCommand } from "./start.js";

/** Every `gatehouse` command; `run` supplies the configuration and handles failures. */
export function buildProgram(run: Runner): Command {
  const program = new Command()
    .name("gatehouse")
    .description(
      "Gatehouse: a self-hosted identity server speaking the GenAuth V3 API.\nConfigured by GATEHOUSE_* environment variables (see the README).",
    )
    .version(SERVER_VERSION)
    // Commander echoes the operator's arguments in its errors: through the escaping printers.
    .configureOutput({ writeOut: print, writeErr: printErr });

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
  return program;
}

/** An operator's mistake or a refused operation: one line, no stack. */
export function failureMessage(err: unknown): string | undefined {
  return err instanceof ApiError || err instanceof CliError ? err.message : undefined;
}

/**
 * Runs a command in-process against `config` (tests): output goes to `io`, failures become the
 * exit code instead of ending the process.
 */
export async function runCli(
  argv: readonly string[],
  config: Config,
  options: ContextOptions = {},
): Promise<number> {
  let code = 0;
  const savedOptions = { ...cliContextOptions };
  Object.assign(cliContextOptions, options);
  const fail = io.fail;
  io.fail = () => {
    code = 1;
  };
  try {
    const program = buildProgram(async (fn) => {
      try {
        await fn(config);
      } catch (err) {
        const message = failureMessage(err);
        if (message === undefined) throw err;
        printErr(`gatehouse: ${oneLine(message)}\n`);
        code = 1;
      }
    });
    program.exitOverride();
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith("commander."))
      return (err as { exitCode?: number }).exitCode ?? 1;
    throw err;
  } finally {
    io.fail = fail;
    for (const k of Object.keys(cliContextOptions)) delete (cliContextOptions as Record<string, unknown>)[k];
    Object.assign(cliContextOptions, savedOptions);
  }
  return code;
}
