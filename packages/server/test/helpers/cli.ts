import { io } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import type { Config } from "../../src/config.js";

/** Runs a `gatehouse` command in-process and captures what it printed. */
export async function cli(
  config: Config,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
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
    const code = await runCli(argv, config);
    return { code, out, err };
  } finally {
    Object.assign(io, saved);
  }
}
