import type { Logger } from "pino";
import { maskEmail } from "../services/users/email.js";
import { maskPhone } from "../services/users/phone.js";
import type { Closable, EmailSender, OutgoingMessage, SmsSender } from "./types.js";

export interface Senders {
  sms: SmsSender & Closable;
  email: EmailSender & Closable;
}

const masked = (message: OutgoingMessage) => ({
  kind: message.kind,
  to: message.kind === "sms" ? maskPhone(message.to) : maskEmail(message.to),
  channel: message.channel,
  purpose: message.purpose,
});

export type DeliveryOutcome = "delivered" | "failed" | "dropped";

/**
 * Hands messages to the senders in the background: an answer never waits on (or reveals) an SMS
 * gateway or mail server, retries happen off the request, and a failure is logged — masked
 * address, never the code. `idle()` waits for deliveries in flight (shutdown, tests).
 *
 * At most `backlog` messages are in delivery at once. A gateway that accepts connections and never
 * answers holds each message for its timeouts and retries while new ones queue behind it — without
 * a bound, memory grows and codes arrive long after they expired. Past it, `full` is true (code
 * sends answer 503 before issuing anything) and a message still handed over is dropped and logged.
 */
export class Courier {
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages by kind and outcome since the start, for /metrics. */
  readonly outcomes: Record<OutgoingMessage["kind"], Record<DeliveryOutcome, number>> = {
    sms: { delivered: 0, failed: 0, dropped: 0 },
    email: { delivered: 0, failed: 0, dropped: 0 },
  };

  constructor(
    private readonly senders: Senders,
    private readonly logger: Logger,
    private readonly backlog = 1000,
  ) {}

  get full(): boolean {
    return this.inFlight.size >= this.backlog;
  }

  /** Messages handed to a sender and not yet delivered or given up on. */
  get inDelivery(): number {
    return this.inFlight.size;
  }

  deliver(message: OutgoingMessage): void {
    if (this.full) {
      this.outcomes[message.kind].dropped++;
      this.logger.error(
        { ...masked(message), inFlight: this.inFlight.size },
        "message dropped: too many messages in delivery (GATEHOUSE_MESSAGE_BACKLOG)",
      );
      return;
    }
    let started: Promise<void>;
    try {
      // Called synchronously: the memory sender has recorded the message when this returns.
      started = message.kind === "sms" ? this.senders.sms.send(message) : this.senders.email.send(message);
    } catch (err) {
      started = Promise.reject(err);
    }
    const tracked = started
      .then(() => {
        this.outcomes[message.kind].delivered++;
      })
      .catch((err: unknown) => {
        this.outcomes[message.kind].failed++;
        this.logger.error(
          { ...masked(message), error: err instanceof Error ? err.message : String(err) },
          "message delivery failed",
        );
      })
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.idle();
    await this.senders.sms.close?.();
    await this.senders.email.close?.();
  }
}
