import type { EventRow } from "../../storage/repos/events.js";

/** What a live subscriber receives of an event: `{eventName, data}` as GenAuth sends it. */
export interface StreamedEvent {
  poolId: string;
  userId: string | null;
  name: string;
  /** The event's JSON text, `{eventName, data}`. */
  message: string;
}

export interface Subscription {
  poolId: string;
  /** Only events about this user (the authentication stream); absent: the pool's (management). */
  userId?: string;
  /** The `code` the subscriber named: one event name. */
  eventName: string;
  send(message: string): void;
}

/**
 * Live subscribers on this node (docs/events.md#the-live-stream). Events arrive from `deliver`,
 * called for every committed event — by this node's dispatcher, or through the broadcast when
 * another node dispatched it.
 */
export function createEventStream() {
  const subscribers = new Set<Subscription>();
  return {
    subscribe(s: Subscription): () => void {
      subscribers.add(s);
      return () => subscribers.delete(s);
    },
    get size() {
      return subscribers.size;
    },
    deliver(e: StreamedEvent): void {
      for (const s of subscribers) {
        if (s.poolId !== e.poolId || s.eventName !== e.name) continue;
        if (s.userId !== undefined && s.userId !== e.userId) continue;
        try {
          s.send(e.message);
        } catch {
          subscribers.delete(s);
        }
      }
    },
  };
}
export type EventStream = ReturnType<typeof createEventStream>;

export const streamedEvent = (row: EventRow): StreamedEvent => ({
  poolId: row.pool_id,
  userId: row.user_id,
  name: row.name,
  message: row.data,
});

/** The broadcast's wire form of an event, and back (unknown messages are dropped). */
export const encodeStreamed = (e: StreamedEvent): string => JSON.stringify(e);
export function decodeStreamed(message: string): StreamedEvent | undefined {
  try {
    const e = JSON.parse(message) as StreamedEvent;
    return typeof e.poolId === "string" && typeof e.name === "string" && typeof e.message === "string"
      ? e
      : undefined;
  } catch {
    return undefined;
  }
}
