import { createRequire } from "node:module";
import type { Closable, EmailMessage, EmailSender } from "./types.js";

export interface SmtpOptions {
  /** smtp://user:pass@host:587 or smtps://… (nodemailer URL options such as ?ignoreTLS=true apply). */
  url: string;
  from: string;
}

const require = createRequire(import.meta.url);

/** Email through nodemailer (loaded only when the SMTP sender is configured: memory). */
export function smtpSender(opts: SmtpOptions): EmailSender & Closable {
  const nodemailer = require("nodemailer") as typeof import("nodemailer");
  const transport = nodemailer.createTransport({
    url: opts.url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(m: EmailMessage): Promise<void> {
      await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text, html: m.html });
    },
    close: () => transport.close(),
  };
}
