import type { Logger } from "pino";
import type { EmailMessage, EmailSender, SmsMessage, SmsSender } from "./types.js";

/**
 * The development sender: writes each message, code included, to the log — the only place a
 * code may ever be logged. Warns loudly when built and on every message.
 */
export function logSender(logger: Logger, kind: "sms" | "email"): SmsSender & EmailSender {
  const variable = kind === "sms" ? "GATEHOUSE_SMS_SENDER" : "GATEHOUSE_EMAIL_SENDER";
  const log = logger.child({ sender: `log-${kind}` });
  log.warn(
    `DEVELOPMENT SENDER: ${variable}=log writes every ${kind} message, verification codes included, ` +
      `to this log and delivers nothing. Never use it in production.`,
  );
  return {
    async send(m: SmsMessage | EmailMessage): Promise<void> {
      const what = m.code !== undefined ? `${m.channel} code ${m.code}` : `notification ${m.purpose}`;
      log.warn(
        {
          message: {
            kind: m.kind,
            to: m.to,
            channel: m.channel,
            purpose: m.purpose,
            code: m.code,
            ...(m.kind === "email" ? { subject: m.subject } : {}),
            text: m.text,
          },
        },
        `DEVELOPMENT SENDER (not delivered): ${m.kind} to ${m.to}: ${what}`,
      );
    },
  };
}
