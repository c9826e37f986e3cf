import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";

export interface AuthzDeps {
  db: Kysely<Database>;
  repos: Repositories;
  clock: Clock;
  /** For the user DTOs of member lists (the default avatar's address). */
  publicUrl: string;
  /**
   * Told after every write that could change an answer of the pool (docs/authorization.md §Cache):
   * drops the cached grants here and on the other nodes. The seam the `role:*`, `group:*` and
   * `permission:*` events will hang from.
   */
  changed(poolId: string, what: AuthzChange): void;
}

/** What a write changed, for the cache and, later, the events. */
export type AuthzChange =
  | "namespace"
  | "role"
  | "role-assignment"
  | "group"
  | "group-members"
  | "resource"
  | "grant"
  | "data-resource"
  | "data-policy"
  | "data-policy-target";

/** The namespace every pool has without creating it. */
export const DEFAULT_NAMESPACE = "default";

export function page(q: { page?: number; limit?: number }) {
  const limit = q.limit ?? 10;
  return { offset: ((q.page ?? 1) - 1) * limit, limit };
}
