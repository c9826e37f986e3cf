import cors from "@fastify/cors";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Context } from "../context.js";
import { corsOrigins } from "../services/cors-origins.js";

/**
 * CORS for exactly the origins a pool lists in `allowedOrigins` (security settings). No
 * credentials (tokens travel in headers); any other origin gets no CORS headers at all.
 */
export function corsPlugin(ctx: Context) {
  const origins = corsOrigins(ctx.repos, ctx.clock);
  return fp(
    async (app: FastifyInstance) => {
      await app.register(cors, {
        hideOptionsRoute: true,
        delegator: async (request: FastifyRequest) => {
          const origin = request.headers.origin;
          const header = request.headers["x-authing-app-id"];
          const appId = Array.isArray(header) ? header[0] : header;
          const allowed = typeof origin === "string" && (await origins.allows(origin, appId));
          return {
            origin: allowed ? origin : false,
            methods: ["GET", "POST"],
            credentials: false,
            maxAge: 600,
            // A bad preflight from an allowed origin gets the ordinary 404 envelope, not text.
            strictPreflight: false,
          };
        },
      });
    },
    { name: "cors" },
  );
}
