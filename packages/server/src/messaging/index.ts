import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Senders } from "./courier.js";
import { logSender } from "./log-sender.js";
import { memorySender, type Outbox } from "./memory-sender.js";
import { smtpSender } from "./smtp-sender.js";
import { webhookSender } from "./webhook-sender.js";

export { Courier, type Senders } from "./courier.js";
export { Outbox } from "./memory-sender.js";
export type { EmailMessage, EmailSender, OutgoingMessage, SmsMessage, SmsSender } from "./types.js";

type SenderConfig = Pick<
  Config,
  | "smsSender"
  | "emailSender"
  | "smsWebhookUrl"
  | "emailWebhookUrl"
  | "webhookSecret"
  | "smtpUrl"
  | "emailFrom"
>;

/** The senders named by config (GATEHOUSE_SMS_SENDER, GATEHOUSE_EMAIL_SENDER); config.ts checked their URLs. */
export function createSenders(config: SenderConfig, logger: Logger, outbox: Outbox): Senders {
  const sms = (() => {
    switch (config.smsSender) {
      case "memory":
        return memorySender(outbox);
      case "webhook":
        return webhookSender({ url: config.smsWebhookUrl!, secret: config.webhookSecret });
      default:
        return logSender(logger, "sms");
    }
  })();
  const email = (() => {
    switch (config.emailSender) {
      case "memory":
        return memorySender(outbox);
      case "webhook":
        return webhookSender({ url: config.emailWebhookUrl!, secret: config.webhookSecret });
      case "smtp":
        return smtpSender({ url: config.smtpUrl!, from: config.emailFrom });
      default:
        return logSender(logger, "email");
    }
  })();
  return { sms, email };
}
