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
import { checkAnswerIn } from "../errors.js";
import { appScopeOf, requireAppScope } from "../http/app-scope.js";
import { ok } from "../http/envelope.js";
import { languageOf } from "../http/language.js";

/** Message service ("消息服务"), docs/wire-contract.md §3b. */
export function messageRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const preHandler = requireAppScope(ctx);

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
        await ctx.codeRequests.sendSmsCode(appScopeOf(request), request.body, request.ip);
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
        await ctx.codeRequests.sendEmailCode(appScopeOf(request), request.body, request.ip);
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
      async (request) =>
        ok(
          request,
          checkAnswerIn(
            await ctx.codeRequests.preCheckCode(appScopeOf(request), request.body),
            languageOf(request),
          ),
        ),
    );
  };
}
