/**
 * Outgoing messages and the one-method sender ports (docs/architecture.md, habit 7). A message carries either a
 * `code` and its `channel` (verification codes) or a `purpose` (notifications: no code, no link).
 */
export interface SmsMessage {
  kind: "sms";
  /** E.164, e.g. +8613800138000. */
  to: string;
  /** National number without the prefix, e.g. 13800138000. */
  phoneNumber: string;
  /** e.g. +86. */
  phoneCountryCode: string;
  channel?: string;
  purpose?: string;
  code?: string;
  text: string;
}

export interface EmailMessage {
  kind: "email";
  to: string;
  channel?: string;
  purpose?: string;
  code?: string;
  subject: string;
  text: string;
  html: string;
}

export type OutgoingMessage = SmsMessage | EmailMessage;

export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}

export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}

/** A sender that holds resources (an SMTP connection pool). */
export interface Closable {
  close?(): Promise<void> | void;
}
