import type { Clock } from "../../lib/clock.js";
import { type AppRestriction, createAppAccess } from "./app-access.js";
import { createGrantsCache } from "./cache.js";
import { createDataPolicies } from "./data-policies.js";
import { createDataResources } from "./data-resources.js";
import type { AuthzDeps } from "./deps.js";
import { createGroups } from "./groups.js";
import { createMyDataResources } from "./my-data-resources.js";
import { createMyPermissions } from "./my-permissions.js";
import { createNamespaces } from "./namespaces.js";
import { createResources } from "./resources.js";
import { createRoles } from "./roles.js";

export interface AuthzOptions {
  /** How long a node trusts its cached grants at most (docs/authorization.md §Cache). */
  cacheTtlMs?: number;
  /** Told the pool of every write, to reach the other nodes (storage/redis/authz-broadcast.ts). */
  onChanged?: (poolId: string) => void;
}

/** Roles, groups and permissions (docs/authorization.md): the management side and the user's. */
export function createAuthz(deps: Omit<AuthzDeps, "changed"> & { clock: Clock }, options: AuthzOptions = {}) {
  const cache = createGrantsCache({ clock: deps.clock, ttlMs: options.cacheTtlMs });
  // Applications' access restrictions, under the same staleness rule as the grants.
  const appCache = createGrantsCache<AppRestriction>({ clock: deps.clock, ttlMs: options.cacheTtlMs });
  const all: AuthzDeps = {
    ...deps,
    changed(poolId) {
      cache.forgetPool(poolId);
      appCache.forgetPool(poolId);
      options.onChanged?.(poolId);
    },
  };
  const my = createMyPermissions({ ...all, cache });
  const appAccess = createAppAccess({ ...all, cache: appCache });
  return {
    appAccess,
    namespaces: createNamespaces(all),
    roles: createRoles(all),
    groups: createGroups(all),
    resources: createResources(all),
    dataResources: createDataResources(all),
    dataPolicies: createDataPolicies(all),
    my,
    myData: createMyDataResources({ repos: deps.repos, grantsOf: my.grantsOf }),
    /** Another node wrote: drop what this node cached for the pool. */
    forgetCached(poolId: string): void {
      cache.forgetPool(poolId);
      appCache.forgetPool(poolId);
    },
    cache,
  };
}

export type Authz = ReturnType<typeof createAuthz>;
