import { buildApp } from "./app.js";
import type { Config } from "./config.js";
import { createContext } from "./context.js";
import { bootstrapBox, ensureBootstrap, writeBootstrapFile } from "./services/admin/bootstrap.js";
import { restrictNewFileModes, secureDataDir, tightenedWarning } from "./storage/data-dir.js";

/** Process entry: config → context → app → listen; graceful shutdown on SIGTERM/SIGINT. */
export async function startServer(config: Config): Promise<{ url: string; stop: () => Promise<void> }> {
  // Before the database opens: SQLite creates its -wal and -shm files with the process's umask.
  restrictNewFileModes();
  const fixed = secureDataDir(config.dataDir, config.databaseUrl);
  const ctx = await createContext(config);
  if (fixed.length > 0) ctx.logger.warn({ fixed }, tightenedWarning(fixed));
  const { info, created } = await ensureBootstrap(ctx.db.kysely, ctx.keys.box, ctx.clock, config.publicUrl);
  const file = writeBootstrapFile(config.dataDir, info);
  if (created) process.stdout.write(`${bootstrapBox(info, file)}\n`);
  else
    ctx.logger.info(
      { userPoolId: info.userPoolId, appId: info.appId },
      `using the existing default pool (${file})`,
    );

  const app = await buildApp(ctx);
  const url = await app.listen({ port: config.port, host: config.host });
  ctx.logger.info({ url, database: ctx.db.dialect }, "Gatehouse is listening");

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ctx.logger.info("shutting down: finishing in-flight requests");
      await app.close(); // stops accepting, waits for in-flight requests
      await ctx.close();
    })();
    return stopping;
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        (err) => {
          ctx.logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
  return { url, stop };
}
