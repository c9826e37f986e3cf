import fs from "node:fs";
import { fileURLToPath } from "node:url";

const js = fileURLToPath(new URL("../../src/cli/index.js", import.meta.url));
const ts = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

/**
 * Node arguments that run the `gatehouse` command from this checkout's source:
 * `spawn(process.execPath, gatehouseArgs("start"))`. Under `npm test` the tests run as
 * JavaScript transpiled ahead of time (scripts/run-tests.mjs) and so does the command; a test
 * file run from source with `node --import tsx` runs the command through tsx too.
 */
export function gatehouseArgs(...args: string[]): string[] {
  if (fs.existsSync(js)) return ["--enable-source-maps", js, ...args];
  return ["--import", "tsx", ts, ...args];
}
