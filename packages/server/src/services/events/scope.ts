import { AsyncLocalStorage } from "node:async_hooks";

/** Who caused an event (docs/events.md#the-outbox). */
export type Actor = { type: "user"; id: string } | { type: "admin"; id: string } | { type: "system" };

/** What an event learns from the request it happened in. */
export interface EventOrigin {
  requestId?: string;
  /** Set once the caller is known (the management API's access key). */
  actor?: Actor;
}

/**
 * The request an event happens in, carried across the service calls without threading a
 * parameter through every admin function: the HTTP layer opens it per request, emit() reads it.
 * Outside a request (the CLI, background work) there is none and the actor is the system.
 */
export function createEventOrigins() {
  const storage = new AsyncLocalStorage<EventOrigin>();
  return {
    run: <T>(origin: EventOrigin, fn: () => T): T => storage.run(origin, fn),
    current: (): EventOrigin | undefined => storage.getStore(),
  };
}
export type EventOrigins = ReturnType<typeof createEventOrigins>;
