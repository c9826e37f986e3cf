import {
  authPaths,
  PreCheckCodeBody,
  PreCheckCodeResponse,
  SendEmailBody,
  SendEmailResponse,
  SendSmsBody,
  SendSmsResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { ApiError } from "../errors.js";
import { ok } from "../http/envelope.js";
import { requireTenant, tenantOf } from "../http/tenant.js";
import { normalizeEmail } from "../services/users/email.js";
import { normalizePhone } from "../services/users/phone.js";

/** Message service ("消息服务"), wire contract §3b. */
export function messageRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const preHandler = requireTenant(ctx);

    app.post<{ Body: SendSmsBody }>(
      authPaths.sendSms,
      {
        preHandler,
        schema: {
          tags: ["messages"],
          summary: "Send an SMS verification code (one per number and channel a minute)",
          body: SendSmsBody,
          response: { 200: SendSmsResponse },
        },
      },
      async (request) => {
        const { pool, settings } = tenantOf(request);
        const { channel, phoneNumber, phoneCountryCode } = request.body;
        const phone = normalizePhone(phoneNumber, phoneCountryCode, settings.defaultPhoneCountryCode);
        // No account enumeration: an unknown number gets the same answer, and nothing is delivered.
        const deliver =
          channel !== "CHANNEL_RESET_PASSWORD" ||
          (await ctx.repos.users.findUserByPhone(pool.id, phone.e164)) !== undefined;
        await ctx.codes.send({
          poolId: pool.id,
          kind: "sms",
          target: phone.e164,
          channel,
          settings,
          clientIp: request.ip,
          deliver,
        });
        return ok(request);
      },
    );

    app.post<{ Body: SendEmailBody }>(
      authPaths.sendEmail,
      {
        preHandler,
        schema: {
          tags: ["messages"],
          summary: "Send an email verification code (one per address and channel a minute)",
          body: SendEmailBody,
          response: { 200: SendEmailResponse },
        },
      },
      async (request) => {
        const { pool, settings } = tenantOf(request);
        const { channel } = request.body;
        const email = normalizeEmail(request.body.email);
        const deliver =
          channel !== "CHANNEL_RESET_PASSWORD" ||
          (await ctx.repos.users.findUserByEmail(pool.id, email)) !== undefined;
        await ctx.codes.send({
          poolId: pool.id,
          kind: "email",
          target: email,
          channel,
          settings,
          clientIp: request.ip,
          deliver,
        });
        return ok(request);
      },
    );

    app.post<{ Body: PreCheckCodeBody }>(
      authPaths.preCheckCode,
      {
        preHandler,
        schema: {
          tags: ["messages"],
          summary: "Check an SMS or email code without consuming it (a wrong code counts an attempt)",
          body: PreCheckCodeBody,
          response: { 200: PreCheckCodeResponse },
        },
      },
      async (request) => {
        const { pool, settings } = tenantOf(request);
        const { codeType, smsCodePayload: sms, emailCodePayload: mail } = request.body;
        let check: () => Promise<unknown>;
        if (codeType === "SMS") {
          if (!sms)
            throw new ApiError("INVALID_REQUEST", {
              message: "smsCodePayload is required when codeType is SMS",
            });
          const phone = normalizePhone(sms.phone, sms.phoneCountryCode, settings.defaultPhoneCountryCode);
          check = () =>
            ctx.codes.check(
              { poolId: pool.id, kind: "sms", target: phone.e164 },
              [sms.channel],
              sms.passCode,
              settings,
            );
        } else {
          if (!mail) {
            throw new ApiError("INVALID_REQUEST", {
              message: "emailCodePayload is required when codeType is EMAIL",
            });
          }
          const email = normalizeEmail(mail.email);
          check = () =>
            ctx.codes.check(
              { poolId: pool.id, kind: "email", target: email },
              [mail.channel],
              mail.passCode,
              settings,
            );
        }
        try {
          await check();
          return ok(request, { isValid: true });
        } catch (err) {
          // PreCheckCodeDataDto: an invalid code is an answer, not a failed request.
          if (err instanceof ApiError && (err.key === "CODE_WRONG" || err.key === "CODE_EXPIRED")) {
            return ok(request, { isValid: false, message: err.message });
          }
          throw err;
        }
      },
    );
  };
}
