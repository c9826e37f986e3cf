import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * Responses finished while the server shuts down carry `Connection: close`. `app.close()` closes
 * the connections idle at that moment and waits for the others; a keep-alive client whose request
 * was in flight would otherwise hold its connection — and the shutdown — open until the
 * keep-alive timeout.
 */
async function shutdownPlugin(app: FastifyInstance) {
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (closing) reply.header("connection", "close");
    return payload;
  });
}

export default fp(shutdownPlugin, { name: "shutdown" });
