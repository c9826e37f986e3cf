import type { PoolSettings } from "@gatehouse/protocol";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { PoolRow } from "../../storage/repos/pools.js";

/** The application a sign-up/sign-in speaks for, its pool and the pool's settings (http/tenant.ts's Tenant). */
export interface AppScope {
  app: ApplicationRow;
  pool: PoolRow;
  settings: PoolSettings;
}

/** Who is asking, for history, lockout and the session row. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}
