import type { EmailMessage, EmailSender, OutgoingMessage, SmsMessage, SmsSender } from "./types.js";

export interface OutboxFilter {
  channel?: string;
  purpose?: string;
  /** Only messages that carry a code. */
  withCode?: boolean;
}

/** Whether `m` went to `to`: a phone as E.164 or national number, an email in any case. */
function addressedTo(m: OutgoingMessage, to: string): boolean {
  const wanted = to.trim().toLowerCase();
  if (m.to.toLowerCase() === wanted) return true;
  return m.kind === "sms" && (m.phoneNumber === wanted || m.to === `+${wanted.replace(/^\+/, "")}`);
}

function matches(m: OutgoingMessage, f: OutboxFilter): boolean {
  if (f.channel !== undefined && m.channel !== f.channel) return false;
  if (f.purpose !== undefined && m.purpose !== f.purpose) return false;
  if (f.withCode && m.code === undefined) return false;
  return true;
}

/** What the `memory` senders delivered; tests read codes from it (`ctx.outbox`). */
export class Outbox {
  readonly messages: OutgoingMessage[] = [];

  /** Messages to one address, oldest first. */
  to(address: string, filter: OutboxFilter = {}): OutgoingMessage[] {
    return this.messages.filter((m) => addressedTo(m, address) && matches(m, filter));
  }

  /** Latest message to a phone (E.164 or national number) or an email address. */
  lastFor(to: string, filter: OutboxFilter = {}): OutgoingMessage | undefined {
    return this.to(to, filter).at(-1);
  }

  /** The code of the latest code message to `to` (optionally sent on `channel`). */
  lastCodeFor(to: string, channel?: string): string | undefined {
    return this.lastFor(to, { channel, withCode: true })?.code;
  }

  clear(): void {
    this.messages.length = 0;
  }
}

/** Records synchronously (before any await) so a message is in the outbox when the request ends. */
export function memorySender(outbox: Outbox): SmsSender & EmailSender {
  return {
    send(message: SmsMessage | EmailMessage): Promise<void> {
      outbox.messages.push(structuredClone(message));
      return Promise.resolve();
    },
  };
}
