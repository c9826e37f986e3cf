import type { Config } from "../config.js";
import { startServer } from "../main.js";

export async function startCommand(config: Config): Promise<void> {
  await startServer(config);
}
