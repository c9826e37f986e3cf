/** Ceiling 1: a bare Fastify route returning a small JSON object (defaults, no logger). */
import Fastify from "fastify";

const app = Fastify();
app.get("/health", async () => ({ status: "ok" }));
app.get("/json", async () => ({ hello: "world", n: 1 }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
