import cors from "@fastify/cors";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Context } from "../context.js";
import { corsOrigins } from "../services/cors-origins.js";

/** Headers browsers may send: the AuthenticationClient's (wire contract §1.2) and the other GenAuth SDKs'. */
const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "x-authing-app-id",
  "x-authing-lang",
  "x-authing-userpool-id",
  "x-authing-app-tenant-id",
  "x-authing-request-from",
  "x-authing-sdk-version",
];

/**
 * CORS for browser clients (the SDK in a web page), for exactly the origins a pool lists in
 * `allowedOrigins` (services/cors-origins.ts decides, with a short per-node cache); any other
 * origin gets no CORS headers at all.
 */
export function corsPlugin(ctx: Context) {
  const origins = corsOrigins(ctx.repos, ctx.clock);
  return fp(
    async (app: FastifyInstance) => {
      await app.register(cors, {
        hook: "onRequest",
        hideOptionsRoute: true,
        delegator: async (request: FastifyRequest) => {
          const origin = request.headers.origin;
          if (!origin) return { origin: false };
          const header = request.headers["x-authing-app-id"];
          const appId = Array.isArray(header) ? header[0] : header;
          const allowed = await origins.allows(origin, appId);
          return {
            origin: allowed ? origin : false,
            methods: ["GET", "POST"],
            allowedHeaders: ALLOWED_HEADERS,
            exposedHeaders: ["x-request-id"],
            // the official SDK sends withCredentials: true
            credentials: true,
            maxAge: 600,
            // A malformed preflight from an allowed origin gets the ordinary 404 envelope, not text.
            strictPreflight: false,
          };
        },
      });
    },
    { name: "cors" },
  );
}
