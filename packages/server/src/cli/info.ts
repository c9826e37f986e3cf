import type { Config } from "../config.js";
import { oneLine, print } from "./io.js";
import { withContext } from "./shared.js";

export async function infoCommand(config: Config, opts: { json?: boolean }): Promise<void> {
  await withContext(config, async (ctx) => {
    const info = await ctx.admin.pools.ensureDefault();
    if (opts.json) {
      print(`${JSON.stringify(info)}\n`);
      return;
    }
    for (const [k, v] of Object.entries(info)) print(`${k.padEnd(16)}${oneLine(String(v))}\n`);
  });
}
