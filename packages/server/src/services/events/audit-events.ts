import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { AuditAction, AuditEvent, AuditService } from "../users/audit.js";
import { toUserDto } from "../users/dto.js";
import type { Emit } from "./emit.js";
import type { EventName } from "./names.js";

/** Each audited change of an account is also an event, by GenAuth's name where it has one. */
const EVENT_OF: Record<AuditAction, EventName> = {
  "user.phone.bound": "user:updated",
  "user.phone.unbound": "user:updated",
  "user.phone.changed": "user:phone-changed",
  "user.email.bound": "user:updated",
  "user.email.unbound": "user:updated",
  "user.email.changed": "user:email-changed",
  "user.email.reclaimed": "user:updated",
  "user.phone.reclaimed": "user:updated",
  "user.password.changed": "user:password-changed",
  "user.password.reset": "user:password-changed",
  "user.profile.updated": "user:updated",
  "user.deleted": "user:deleted",
};

/**
 * The audit log, with every record also written to the outbox in the same transaction
 * (docs/events.md#event-names): no audited change can be left without its event. The event
 * carries the user as the transaction now sees it, and the audit record's masked old and new
 * values — never a code or a token.
 */
export function auditWithEvents(audit: AuditService, emit: Emit): AuditService {
  const eventOf = (event: AuditEvent, data: Record<string, unknown>) => ({
    poolId: event.poolId,
    name: EVENT_OF[event.action],
    userId: event.userId,
    actor:
      event.actor === "user"
        ? ({ type: "user", id: event.userId } as const)
        : event.actor === "anonymous"
          ? undefined
          : ({ type: "admin", id: event.actor.admin } as const),
    data,
  });
  const changeOf = (event: AuditEvent) => {
    const change: Record<string, string> = {};
    if (event.oldValue !== undefined) change.oldValue = event.oldValue;
    if (event.newValue !== undefined) change.newValue = event.newValue;
    return change;
  };
  return {
    /**
     * Inside an all-or-nothing batch nothing can be read: the event carries the user's id and the
     * masked old and new values, not the whole user.
     */
    recordSteps(repos, event: AuditEvent): Step[] {
      return [
        ...audit.recordSteps(repos, event),
        emit.step(repos, event.meta.origin, eventOf(event, { userId: event.userId, ...changeOf(event) })),
      ];
    },
    async record(repos, event: AuditEvent): Promise<void> {
      await audit.record(repos, event);
      const row = event.subject ?? (await repos.users.findUserById(event.poolId, event.userId));
      const user = row ? toUserDto(row, { photo: "" }) : { userId: event.userId };
      await emit(repos, event.meta.origin, eventOf(event, { ...user, ...changeOf(event) }));
    },
  };
}
