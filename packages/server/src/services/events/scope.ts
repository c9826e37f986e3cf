/** Who caused an event (docs/events.md#the-outbox). */
export type Actor = { type: "user"; id: string } | { type: "admin"; id: string } | { type: "system" };

/**
 * What an event learns from the request it happened in. Passed explicitly from the route down
 * to every `emit` (docs/events.md#the-outbox): there is no ambient request to read it from.
 */
export interface EventOrigin {
  readonly requestId?: string;
  /** The management API's caller (its access key); absent for users and anonymous callers. */
  readonly actor?: Actor;
}

/**
 * Outside any request: the `gatehouse` CLI and background work. No request id; the actor is the
 * event's own (the user it concerns) or else the system.
 */
export const NO_REQUEST: EventOrigin = Object.freeze({});
