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

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** A preflight whose request will carry `x-authing-app-id` (its value is not sent ahead). */
function preflightNamesApp(request: FastifyRequest): boolean {
  if (request.method !== "OPTIONS" || header(request, "access-control-request-method") === undefined)
    return false;
  const names = (header(request, "access-control-request-headers") ?? "").toLowerCase().split(",");
  return names.some((n) => n.trim() === "x-authing-app-id");
}

/**
 * Which list judges an origin (docs/behaviour-and-errors.md §1.7): a request naming an application
 * follows its pool's `allowedOrigins`; a request naming none (the management API, /oidc) only
 * GATEHOUSE_CORS_ORIGINS — one tenant's `*` must not open other tenants' token endpoints.
 */
async function originAllowed(ctx: Context, request: FastifyRequest, origin: string): Promise<boolean> {
  const appId = header(request, "x-authing-app-id");
  if (appId) return ctx.admin.poolSettings.originAllowed(origin, appId);
  if (ctx.config.corsOrigins.includes(origin)) return true;
  return preflightNamesApp(request) && ctx.admin.poolSettings.originListedByAnyPool(origin);
}

/** CORS for browser clients (the SDK in a web page): pools' `allowedOrigins`, GATEHOUSE_CORS_ORIGINS. */
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
