import { type Config, loadConfig } from "@gatehouse/server/dist/config.js";
import { type Context, createContext } from "@gatehouse/server/dist/context.js";
import type { Clock } from "@gatehouse/server/dist/lib/clock.js";
import type { FreshDatabase } from "./database.js";
import { BENCH_SECRET } from "./server.js";

/** The configuration of a bench context on the server's database (same secret, so sealed values open). */
export function benchConfig(db: FreshDatabase, overrides: Partial<Config> = {}): Config {
  return loadConfig({}, { databaseUrl: db.url, secret: BENCH_SECRET, logLevel: "silent", ...overrides });
}

/**
 * A context of the bench's own, opened for one task (seeding, minting, settings) and closed after
 * it. The bench's own writes need not wait for durable commits (the server's still do).
 */
export async function withBenchContext<T>(
  config: Config,
  work: (ctx: Context) => Promise<T>,
  clock?: Clock,
): Promise<T> {
  const ctx = await createContext(config, { migrate: false, ...(clock ? { clock } : {}) });
  ctx.db.sqlite?.pragma("synchronous = OFF");
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}
