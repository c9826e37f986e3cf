import type { PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { PoolRow } from "../../storage/repos/pools.js";
import type { EventOrigin } from "../events/scope.js";
import { parsePoolSettings } from "../users/pool-settings.js";

/** The application a request speaks for, its user pool and the pool's settings. */
export interface AppScope {
  app: ApplicationRow;
  pool: PoolRow;
  settings: PoolSettings;
}

/** Who is asking, for history, lockout, the session row, the audit log and events. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** The application the request came through, when the audit log should name it. */
  appId?: string;
  /** The request id (and management caller) every event the request causes carries. */
  origin: EventOrigin;
}

export function createAppScopes({ repos }: { repos: Repositories }) {
  return {
    /** `x-authing-app-id` → application → user pool (docs/wire-contract.md §1.2). */
    async resolveScope(appId: string | undefined): Promise<AppScope> {
      if (!appId) throw new ApiError("APP_ID_MISSING");
      if (appId.length > 64) throw new ApiError("APP_NOT_FOUND");
      const app = await repos.applications.findApplicationById(appId);
      if (!app) throw new ApiError("APP_NOT_FOUND");
      const pool = await repos.pools.findPoolById(app.pool_id);
      if (!pool) throw new ApiError("POOL_NOT_FOUND");
      return { app, pool, settings: parsePoolSettings(pool.settings) };
    },

    /** Whether `appId` names an application of `poolId` (a token presented through another app). */
    async isAppOfPool(appId: string, poolId: string): Promise<boolean> {
      const app = appId.length <= 64 ? await repos.applications.findApplicationById(appId) : undefined;
      return app?.pool_id === poolId;
    },

    /** A pool's settings, for calls that name the pool by a token rather than by an application. */
    async poolSettings(poolId: string): Promise<PoolSettings> {
      return parsePoolSettings((await repos.pools.findPoolById(poolId))?.settings ?? "{}");
    },
  };
}
