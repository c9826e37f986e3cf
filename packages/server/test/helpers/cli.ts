import { io } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import type { Config } from "../../src/config.js";
import type { ContextOptions } from "../../src/context.js";
import { testContextOptions } from "./test-context.js";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs a `gatehouse` command in-process and captures what it printed. */
export function cli(config: Config, ...argv: string[]): Promise<CliResult> {
  return cliWith(config, {}, ...argv);
}

/** As `cli`, with context options (e.g. a fake clock) for the command's own context. */
export async function cliWith(
  config: Config,
  options: ContextOptions,
  ...argv: string[]
): Promise<CliResult> {
  const saved = { out: io.out, err: io.err, errIsTTY: io.errIsTTY };
  let out = "";
  let err = "";
  io.out = (s) => {
    out += s;
  };
  io.err = (s) => {
    err += s;
  };
  io.errIsTTY = () => false;
  try {
    const code = await runCli(argv, config, { ...testContextOptions, ...options });
    return { code, out, err };
  } finally {
    Object.assign(io, saved);
  }
}
