import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { NewEventRow } from "../../storage/repos/events.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { Database } from "../../storage/schema.js";
import { toUserDto } from "../users/dto.js";
import type { EventName } from "./names.js";
import type { Actor, EventOrigin } from "./scope.js";

export interface EmittedEvent {
  poolId: string;
  name: EventName | string;
  /** The account the event is about: its owner receives it on the live stream. */
  userId?: string | null;
  /** Defaults to the origin's caller, else the user concerned, else the system. */
  actor?: Actor;
  data: unknown;
}

export interface EmitDeps {
  clock: Clock;
  /** Told after each emit, so the dispatcher looks soon after the transaction commits. */
  onEmitted?: () => void;
}

/**
 * The one way an event is written (docs/events.md#the-outbox). `tx` must be the repositories of the
 * transaction that makes the change, so the event commits with it or not at all. One insert: the
 * transaction stays short, fanning out to webhooks happens after commit. `origin` is required:
 * no event is written without saying which request (or none: `NO_REQUEST`) caused it.
 */
export function createEmitter(deps: EmitDeps) {
  function row(origin: EventOrigin, e: EmittedEvent): NewEventRow {
    const actor: Actor =
      e.actor ?? origin.actor ?? (e.userId ? { type: "user", id: e.userId } : { type: "system" });
    return {
      id: newId(),
      pool_id: e.poolId,
      name: e.name,
      user_id: e.userId ?? null,
      actor_type: actor.type,
      actor_id: actor.type === "system" ? null : actor.id,
      request_id: origin.requestId?.slice(0, 64) ?? null,
      data: JSON.stringify({ eventName: e.name, data: e.data }),
      dispatched: 0,
      created_at: deps.clock.now(),
    };
  }
  const emit = async (tx: Repositories, origin: EventOrigin, e: EmittedEvent): Promise<string> => {
    const r = row(origin, e);
    await tx.events.insertEvent(r);
    deps.onEmitted?.();
    return r.id;
  };
  /** The event as a step of the change's all-or-nothing batch (storage/repos/all-or-nothing.ts). */
  emit.step = (repos: Repositories, origin: EventOrigin, e: EmittedEvent): Step => {
    deps.onEmitted?.();
    return repos.events.insertEventStep(row(origin, e));
  };
  /** Many events in multi-row inserts (a batch of created users). */
  emit.many = async (
    tx: Repositories,
    origin: EventOrigin,
    events: readonly EmittedEvent[],
  ): Promise<void> => {
    for (let i = 0; i < events.length; i += 200) {
      await tx.events.insertEvents(events.slice(i, i + 200).map((e) => row(origin, e)));
    }
    if (events.length > 0) deps.onEmitted?.();
  };
  return emit;
}
export type Emit = ReturnType<typeof createEmitter>;

/** Events carry the stored photo only: the pool's default avatar is the reader's to apply. */
const EVENT_DTO_DEFAULTS = { photo: "" };

/** A user event: GenAuth sends the user DTO as `data`. */
export function userEvent(name: EventName, user: UserRow, extra?: Record<string, unknown>): EmittedEvent {
  return {
    poolId: user.pool_id,
    name,
    userId: user.id,
    data: extra ? { ...toUserDto(user, EVENT_DTO_DEFAULTS), ...extra } : toUserDto(user, EVENT_DTO_DEFAULTS),
  };
}

/**
 * Runs a change and its events in one transaction: joins `repos`' transaction when it is one,
 * else opens a short one (docs/architecture.md, habit 12: nothing slow inside `fn`).
 */
export function withEvents<T>(repos: Repositories, fn: (tx: Repositories) => Promise<T>): Promise<T> {
  if (repos.db.isTransaction) return fn(repos);
  return (repos.db as Kysely<Database>).transaction().execute((trx) => fn(repositories(trx)));
}
