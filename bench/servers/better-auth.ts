/**
 * The peer: Better Auth with email + password on better-sqlite3 (WAL, as Gatehouse), its rate
 * limiter and telemetry off, served by node:http through its own Node handler. Defaults
 * otherwise (sessions in the database, no cookie cache).
 */
import http from "node:http";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import SQLite from "better-sqlite3";

const port = Number(process.env.PORT);
const database = new SQLite(process.env.DB_FILE!);
database.pragma("journal_mode = WAL");

const options = {
  database,
  baseURL: `http://127.0.0.1:${port}`,
  secret: "bench-secret-bench-secret-bench-secret-0123",
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { disabled: true },
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
const handler = toNodeHandler(auth);

const server = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  handler(req, res);
});
server.listen(port, "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
