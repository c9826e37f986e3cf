import cors from "@fastify/cors";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Context } from "../context.js";
import { parsePoolSettings } from "../services/users/pool-settings.js";

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

const allows = (list: readonly string[], origin: string) => list.includes(origin) || list.includes("*");

/**
 * Whether `origin` may call us. With an `x-authing-app-id`, the pool of that app decides through its
 * `allowedOrigins` setting. A preflight carries no header values, so it is allowed when any pool
 * lists the origin; the actual request is then answered with CORS headers only if its own pool does.
 */
async function originAllowed(ctx: Context, request: FastifyRequest, origin: string): Promise<boolean> {
  const header = request.headers["x-authing-app-id"];
  const appId = Array.isArray(header) ? header[0] : header;
  if (appId) {
    if (appId.length > 64) return false;
    const app = await ctx.repos.applications.findApplicationById(appId);
    const pool = app && (await ctx.repos.pools.findPoolById(app.pool_id));
    return pool ? allows(parsePoolSettings(pool.settings).allowedOrigins, origin) : false;
  }
  const pools = await ctx.repos.pools.listPools();
  return pools.some((pool) => allows(parsePoolSettings(pool.settings).allowedOrigins, origin));
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
