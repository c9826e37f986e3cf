import type { PoolSettings } from "@gatehouse/protocol";
import type { FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ApiError } from "../errors.js";
import { parsePoolSettings } from "../services/users/pool-settings.js";
import type { ApplicationRow } from "../storage/repos/applications.js";
import type { PoolRow } from "../storage/repos/pools.js";

/** The application a request speaks for, its user pool and the pool's settings. */
export interface Tenant {
  app: ApplicationRow;
  pool: PoolRow;
  settings: PoolSettings;
}

declare module "fastify" {
  interface FastifyRequest {
    tenant?: Tenant;
  }
}

/** Resolve `x-authing-app-id` → application → user pool (wire contract §1.2). */
export async function resolveTenant(ctx: Context, appId: string | undefined): Promise<Tenant> {
  if (!appId) throw new ApiError("APP_ID_MISSING");
  if (appId.length > 64) throw new ApiError("APP_NOT_FOUND");
  const app = await ctx.repos.applications.findApplicationById(appId);
  if (!app) throw new ApiError("APP_NOT_FOUND");
  const pool = await ctx.repos.pools.findPoolById(app.pool_id);
  if (!pool) throw new ApiError("POOL_NOT_FOUND");
  return { app, pool, settings: parsePoolSettings(pool.settings) };
}

/** preHandler factory: every app-scoped /api/v3 route uses it. */
export function requireTenant(ctx: Context) {
  return async (request: FastifyRequest) => {
    const header = request.headers["x-authing-app-id"];
    request.tenant = await resolveTenant(ctx, Array.isArray(header) ? header[0] : header);
  };
}

/** The resolved tenant; only call behind `requireTenant`. */
export function tenantOf(request: FastifyRequest): Tenant {
  if (!request.tenant) throw new Error("tenant not resolved: route is missing requireTenant");
  return request.tenant;
}
