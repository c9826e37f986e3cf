import type { PoolSettings } from "@gatehouse/protocol";
import type { Clock } from "../lib/clock.js";
import { splitE164 } from "../services/users/phone.js";
import type { Courier } from "./courier.js";
import { notificationEmail, notificationSmsText } from "./templates.js";

/** Notifications the profile module sends after account changes (texts in messaging/texts.ts). */
export type NotificationPurpose =
  | "phone_changed"
  | "email_changed"
  | "password_changed"
  | "password_reset"
  | "phone_bound"
  | "phone_unbound"
  | "email_bound"
  | "email_unbound"
  | "account_deleted";

export interface NotifyRequest {
  poolId: string;
  kind: "sms" | "email";
  /** E.164 for sms, an address for email. */
  to: string;
  purpose: NotificationPurpose;
  settings: PoolSettings;
  /**
   * Placeholders of the text: phone_changed {newPhone}, email_changed {newEmail},
   * phone_bound/phone_unbound {phone}, email_bound/email_unbound {email} — pass masked values.
   * `{time}` is filled in (UTC) unless given.
   */
  params?: Record<string, string>;
}

export interface Notifier {
  /**
   * Queue a notification (no code, no link) and return at once; delivery happens in the
   * background. Skipped when the pool switched that kind of notice off (`notifyOnPhoneChange`,
   * `notifyOnEmailChange`, `notifyOnPasswordChange`). Call it after the change committed,
   * never inside a transaction.
   */
  notify(req: NotifyRequest): void;
}

const switches: Partial<Record<NotificationPurpose, keyof PoolSettings>> = {
  phone_changed: "notifyOnPhoneChange",
  email_changed: "notifyOnEmailChange",
  password_changed: "notifyOnPasswordChange",
  password_reset: "notifyOnPasswordChange",
};

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function createNotifier(deps: { courier: Courier; clock: Clock }): Notifier {
  return {
    notify(req) {
      const flag = switches[req.purpose];
      if (flag && req.settings[flag] === false) return;
      const params = { time: utc(deps.clock.now()), ...req.params };
      if (req.kind === "sms") {
        const { phone, phoneCountryCode } = splitE164(req.to);
        deps.courier.deliver({
          kind: "sms",
          to: req.to,
          phoneNumber: phone,
          phoneCountryCode,
          purpose: req.purpose,
          text: notificationSmsText(req.purpose, params, req.settings),
        });
        return;
      }
      deps.courier.deliver({
        kind: "email",
        to: req.to.trim().toLowerCase(),
        purpose: req.purpose,
        ...notificationEmail(req.purpose, params, req.settings),
      });
    },
  };
}
