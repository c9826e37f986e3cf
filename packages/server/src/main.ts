import http from "node:http";
import type { AddressInfo } from "node:net";
import { opsPaths } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import type { Config } from "./config.js";
import { createContext } from "./context.js";
import { bootstrapBox, ensureBootstrap, writeBootstrapFile } from "./services/admin/bootstrap.js";
import { restrictNewFileModes, secureDataDir, tightenedWarning } from "./storage/data-dir.js";

/**
 * `GATEHOUSE_METRICS=port:<n>`: `/metrics` alone on a second port, for a scraper on a private network
 * (docs/operations.md#metrics). A bare node:http server: one GET route needs no framework.
 */
async function listenMetrics(app: FastifyInstance, host: string, port: number): Promise<http.Server> {
  const render = app.metricsText;
  if (!render) throw new Error("metrics are off");
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== opsPaths.metrics) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    render().then(
      ({ contentType, body }) => res.writeHead(200, { "content-type": contentType }).end(body),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Process entry: config → context → app → listen; graceful shutdown on SIGTERM/SIGINT. */
export async function startServer(
  config: Config,
): Promise<{ url: string; metricsUrl?: string; stop: () => Promise<void> }> {
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
  ctx.events.worker.start();
  ctx.logger.info({ url, database: ctx.db.dialect }, "Gatehouse is listening");
  let metricsServer: http.Server | undefined;
  let metricsUrl: string | undefined;
  if (config.metrics.mode === "port") {
    metricsServer = await listenMetrics(app, config.host, config.metrics.port);
    const address = metricsServer.address() as AddressInfo;
    metricsUrl = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}${opsPaths.metrics}`;
    ctx.logger.info({ url: metricsUrl }, "metrics are served on their own port");
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ctx.logger.info("shutting down: finishing in-flight requests");
      metricsServer?.close();
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
  return { url, metricsUrl, stop };
}
