import type { PreCheckCodeBody, SendEmailBody, SendSmsBody } from "@gatehouse/protocol";
import { ApiError, bilingual, type CheckAnswer, missingParam } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { AppScope } from "../auth/scope.js";
import { normalizeEmail } from "../users/email.js";
import { findUserByMailbox, normalizeSmsRecipient } from "../users/identifiers.js";
import { normalizePhone } from "../users/phone.js";
import type { CodeService, CodeTarget } from "./engine.js";

export interface CodeRequestsDeps {
  repos: Repositories;
  codes: CodeService;
}

/** The message service's endpoints (docs/wire-contract.md §3b): codes asked for by an application. */
export function createCodeRequests({ repos, codes }: CodeRequestsDeps) {
  return {
    async sendSmsCode(s: AppScope, body: SendSmsBody, clientIp: string): Promise<void> {
      const { pool, settings } = s;
      const { channel, phoneNumber, phoneCountryCode } = body;
      const phone = normalizeSmsRecipient(phoneNumber, phoneCountryCode, settings);
      // No account enumeration: an unknown number gets the same answer, and nothing is delivered.
      const deliver =
        channel !== "CHANNEL_RESET_PASSWORD" ||
        (await repos.users.findUserByPhone(pool.id, phone)) !== undefined;
      await codes.send({
        poolId: pool.id,
        kind: "sms",
        target: phone,
        channel,
        settings,
        clientIp,
        deliver,
      });
    },

    async sendEmailCode(s: AppScope, body: SendEmailBody, clientIp: string): Promise<void> {
      const { pool, settings } = s;
      const { channel } = body;
      const email = normalizeEmail(body.email);
      const deliver =
        channel !== "CHANNEL_RESET_PASSWORD" ||
        (await findUserByMailbox(repos, pool.id, email)) !== undefined;
      await codes.send({
        poolId: pool.id,
        kind: "email",
        target: email,
        channel,
        settings,
        clientIp,
        deliver,
      });
    },

    /** Checks a code without consuming it (a wrong one counts an attempt); an invalid code is an answer. */
    async preCheckCode(s: AppScope, body: PreCheckCodeBody): Promise<CheckAnswer> {
      const { pool, settings } = s;
      const { codeType, smsCodePayload: sms, emailCodePayload: mail } = body;
      let target: CodeTarget;
      let channel: string;
      let passCode: string;
      if (codeType === "SMS") {
        if (!sms) throw missingParam("smsCodePayload", "smsCodePayload is required when codeType is SMS");
        const phone = normalizePhone(sms.phone, sms.phoneCountryCode, settings.defaultPhoneCountryCode);
        target = { poolId: pool.id, kind: "sms", target: phone.e164 };
        ({ channel, passCode } = sms);
      } else {
        if (!mail) {
          throw missingParam("emailCodePayload", "emailCodePayload is required when codeType is EMAIL");
        }
        target = { poolId: pool.id, kind: "email", target: normalizeEmail(mail.email) };
        ({ channel, passCode } = mail);
      }
      try {
        await codes.check(target, [channel], passCode, settings);
        return { isValid: true };
      } catch (err) {
        // PreCheckCodeDataDto: an invalid code is an answer, not a failed request.
        if (err instanceof ApiError && (err.key === "CODE_WRONG" || err.key === "CODE_EXPIRED")) {
          return { isValid: false, why: bilingual(err.messageIn("zh-CN"), err.messageIn("en-US")) };
        }
        throw err;
      }
    },
  };
}
export type CodeRequests = ReturnType<typeof createCodeRequests>;
