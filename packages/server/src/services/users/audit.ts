import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { RequestMeta } from "../auth/scope.js";
import { maskPhone } from "./phone.js";

/**
 * The audit log of changes to accounts: who, what, when, from where. Values are masked
 * before they are written; nothing here can reconstruct a phone number or email.
 */

export interface AuditEvent {
  poolId: string;
  /** The account concerned. */
  userId: string;
  /**
   * Who did it: the user themselves, or an anonymous holder of a code (forgot password, the first
   * code sign-in that reclaims an account).
   */
  actor: "user" | "anonymous" | { admin: string };
  action: AuditAction;
  /** A masked identifier of the account (kept when the account is deleted). */
  target?: string;
  oldValue?: string;
  newValue?: string;
  /** The request that made the change; its `origin` goes on the event it also writes (docs/events.md#the-outbox). */
  meta: RequestMeta;
  /** The account as it was, for a change that removes it (its event carries it). */
  subject?: UserRow;
}

export type AuditAction =
  | "user.phone.bound"
  | "user.phone.unbound"
  | "user.phone.changed"
  | "user.email.bound"
  | "user.email.unbound"
  | "user.email.changed"
  | "user.email.reclaimed"
  | "user.phone.reclaimed"
  | "user.password.changed"
  | "user.password.reset"
  | "user.profile.updated"
  | "user.deleted";

/** "a***z": for usernames. */
export function maskText(text: string): string {
  return text.length <= 2 ? `${text[0] ?? ""}***` : `${text[0]}***${text[text.length - 1]}`;
}

export { maskEmail } from "./email.js";
export { maskPhone };

const clip = (s: string | null | undefined, n: number) => (s == null ? null : s.slice(0, n));

export function createAudit({ clock }: { clock: Clock }) {
  function rowOf(event: AuditEvent) {
    const actor = event.actor;
    // A deletion's record keeps no client of the request either: the account's earlier records
    // lose their IP and user agent in the same transaction (docs/user-information.md).
    const client = event.action === "user.deleted" ? undefined : event.meta;
    return {
      id: newId(),
      pool_id: event.poolId,
      user_id: event.userId,
      actor_type: typeof actor === "string" ? actor : "admin",
      actor_id: actor === "user" ? event.userId : typeof actor === "string" ? null : actor.admin,
      action: event.action,
      target: event.target ?? null,
      old_value: event.oldValue ?? null,
      new_value: event.newValue ?? null,
      ip: clip(client?.ip, 64),
      user_agent: clip(client?.userAgent, 512),
      app_id: clip(client?.appId, 64),
      created_at: clock.now(),
    };
  }
  return {
    /** Records an event; pass the transaction's repositories so it commits with the change. */
    async record(repos: Repositories, event: AuditEvent): Promise<void> {
      await repos.audit.insertAuditEvent(rowOf(event));
    },
    /** The record as steps of an all-or-nothing batch (with its event: services/events/audit-events.ts). */
    recordSteps(repos: Repositories, event: AuditEvent): Step[] {
      return [repos.audit.insertAuditEventStep(rowOf(event))];
    },
  };
}
export type AuditService = ReturnType<typeof createAudit>;
