import cors from "@fastify/cors";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Context } from "../context.js";

/** Headers browsers may send: the AuthenticationClient's (docs/wire-contract.md §1.2) and the other GenAuth SDKs'. */
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

/** With an `x-authing-app-id`, the pool of that app decides; see the service for preflights. */
function originAllowed(ctx: Context, request: FastifyRequest, origin: string): Promise<boolean> {
  const header = request.headers["x-authing-app-id"];
  return ctx.admin.poolSettings.originAllowed(origin, Array.isArray(header) ? header[0] : header);
}

/** CORS for browser clients (the SDK in a web page), per pool setting `allowedOrigins`. */
export function corsPlugin(ctx: Context) {
  return fp(
    async (app: FastifyInstance) => {
      await app.register(cors, {
        hook: "onRequest",
        hideOptionsRoute: true,
        delegator: (request, callback) => {
          const origin = request.headers.origin;
          if (!origin) return callback(null, { origin: false });
          originAllowed(ctx, request, origin).then(
            (allowed) =>
              callback(null, {
                origin: allowed ? origin : false,
                methods: ["GET", "POST"],
                allowedHeaders: ALLOWED_HEADERS,
                exposedHeaders: ["x-request-id"],
                // the official SDK sends withCredentials: true
                credentials: true,
                maxAge: 600,
                // A malformed preflight from an allowed origin gets the 404 envelope, not text/plain.
                strictPreflight: false,
              }),
            (err: unknown) => callback(err as Error, { origin: false }),
          );
        },
      });
    },
    { name: "cors" },
  );
}
