import type { PubEventRequest } from "@gatehouse/protocol";
import type { Repositories } from "../../storage/repos/index.js";
import { type Emit, withEvents } from "./emit.js";
import type { EventOrigin } from "./scope.js";

/** Custom events (pub-event, pub-userEvent): into the outbox like any other, then to subscribers and webhooks. */
export function createPublisher({ repos, emit }: { repos: Repositories; emit: Emit }) {
  const publish = (origin: EventOrigin, poolId: string, userId: string | null, input: PubEventRequest) =>
    withEvents(repos, (tx) =>
      emit(tx, origin, {
        poolId,
        name: input.eventType,
        userId,
        data: input.eventData ?? null,
      }),
    );
  return {
    /** A signed-in user's event: about them, so their own stream receives it. */
    pubUserEvent: (origin: EventOrigin, user: { poolId: string; userId: string }, input: PubEventRequest) =>
      publish(origin, user.poolId, user.userId, input),
    /** An administrator's event for the pool. */
    pubEvent: (origin: EventOrigin, poolId: string, input: PubEventRequest) =>
      publish(origin, poolId, null, input),
  };
}
