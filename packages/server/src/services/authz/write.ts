import type { Repositories } from "../../storage/repos/index.js";
import { withEvents } from "../events/emit.js";
import type { EventName } from "../events/names.js";
import type { EventOrigin } from "../events/scope.js";
import type { AuthzChange, AuthzDeps } from "./deps.js";

/** Emits one event of the write's pool in the write's transaction. */
export type AuthzEmit = (name: EventName, data: unknown, userId?: string) => Promise<void>;

/**
 * The one way an authorization service writes (docs/authorization.md §Events): `fn` makes the change
 * through `tx` and emits its events through `event`, all in one transaction — a rolled-back change
 * has no event, an acknowledged one always has. Once it commits, the pool's cached grants are dropped
 * here and on the other nodes (docs/authorization.md §Cache).
 */
export function createAuthzWrite({ repos, emit, changed }: Pick<AuthzDeps, "repos" | "emit" | "changed">) {
  return async function authzWrite<T>(
    poolId: string,
    origin: EventOrigin,
    what: AuthzChange,
    fn: (tx: Repositories, event: AuthzEmit) => Promise<T>,
  ): Promise<T> {
    const result = await withEvents(repos, (tx) =>
      fn(tx, async (name, data, userId) => {
        await emit(tx, origin, { poolId, name, data, userId: userId ?? null });
      }),
    );
    changed(poolId, what);
    return result;
  };
}
export type AuthzWrite = ReturnType<typeof createAuthzWrite>;
