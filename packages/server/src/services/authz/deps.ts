import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";
import type { Emit } from "../events/emit.js";

export interface AuthzDeps {
  db: Kysely<Database>;
  repos: Repositories;
  clock: Clock;
  /** For the user DTOs of member lists (the default avatar's address). */
  publicUrl: string;
  /** Writes a change's events in the change's transaction (docs/events.md#the-outbox). */
  emit: Emit;
  /**
   * Told after every committed write of the pool (docs/authorization.md §Cache): drops the cached
   * grants here and on the other nodes. Services reach it through `authzWrite` (write.ts), never
   * directly, so a write cannot have its cache drop without its event or the other way round.
   */
  changed(poolId: string, what: AuthzChange): void;
}

/** What a write changed, for the cache. */
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
  | "data-policy-target"
  | "app-access";

/** The namespace every pool has from its creation. */
export { DEFAULT_NAMESPACE } from "../../storage/repos/authz-model.js";

export function page(q: { page?: number; limit?: number }) {
  const limit = q.limit ?? 10;
  return { offset: ((q.page ?? 1) - 1) * limit, limit };
}
