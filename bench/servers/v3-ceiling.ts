/**
 * Ceiling 2, the "V3 ceiling": what any authenticated /api/v3 read must at least do — verify an
 * RS256 JWT with jose and read one row by primary key from SQLite through a prepared
 * better-sqlite3 statement — on a bare Fastify route. Reads the same `users` table Gatehouse
 * uses (a seeded Gatehouse database).
 */
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import { importSPKI, jwtVerify } from "jose";

const key = await importSPKI(process.env.PUBLIC_KEY_PEM!, "RS256");
const db = new SQLite(process.env.DB_FILE!, { readonly: true });
db.pragma("journal_mode = WAL");
const byId = db.prepare("SELECT * FROM users WHERE id = ?");

const app = Fastify();
app.get("/health", async () => ({ status: "ok" }));
app.get("/me", async (request, reply) => {
  const token = (request.headers.authorization ?? "").replace(/^Bearer /, "");
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ["RS256"] });
    const row = byId.get(payload.sub) as Record<string, unknown> | undefined;
    if (!row) return reply.code(404).send({ error: "not found" });
    return { id: row.id, username: row.username, email: row.email, phone: row.phone, status: row.status };
  } catch {
    return reply.code(401).send({ error: "invalid token" });
  }
});
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
