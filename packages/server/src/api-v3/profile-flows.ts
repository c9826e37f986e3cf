import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  authPaths,
  CommonResponse,
  DeleteAccountDto,
  DeleteAccountTokenResponse,
  PasswordResetTokenResponse,
  ResetPasswordDto,
  SuccessResponse,
  UpdateEmailDto,
  UpdateEmailTokenResponse,
  UpdatePasswordDto,
  UpdatePhoneDto,
  UpdatePhoneTokenResponse,
  VerifyDeleteAccountRequestDto,
  VerifyResetPasswordRequestDto,
  VerifyUpdateEmailRequestDto,
  VerifyUpdatePhoneRequestDto,
} from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { appScopeOf, requireAppScope } from "../http/app-scope.js";
import { ok } from "../http/envelope.js";
import { requireUser } from "../http/user-auth.js";
import { appCallOf, selfServiceOf } from "./profile.js";

/**
 * User information, part 2: the two-step flows (docs/wire-contract.md §3c #8–16). Step 1 proves
 * possession and returns a one-time token; step 2 spends it.
 */
const tags = ["profile"];

export function profileFlowRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The access token is checked first, before the body is even looked at.
    const onRequest = requireUser(ctx, "profile");
    const emailUser = requireUser(ctx, "email");
    const phoneUser = requireUser(ctx, "phone");
    const anonymous = requireAppScope(ctx);
    const who = (request: FastifyRequest) => selfServiceOf(ctx, request);

    app.post(
      authPaths.verifyUpdatePhoneRequest,
      {
        onRequest: phoneUser,
        schema: {
          tags,
          summary: "Change phone, step 1: codes of the new (and old) number → updatePhoneToken",
          body: VerifyUpdatePhoneRequestDto,
          response: { 200: UpdatePhoneTokenResponse },
        },
      },
      async (request) =>
        ok(
          request,
          await ctx.profile.verifyUpdatePhoneRequest(await who(request), request.body.phonePassCodePayload),
        ),
    );

    app.post(
      authPaths.updatePhone,
      {
        onRequest: phoneUser,
        schema: {
          tags,
          summary: "Change phone, step 2: spend the updatePhoneToken",
          body: UpdatePhoneDto,
          response: { 200: SuccessResponse },
        },
      },
      async (request) =>
        ok(request, await ctx.profile.updatePhone(await who(request), request.body.updatePhoneToken)),
    );

    app.post(
      authPaths.verifyUpdateEmailRequest,
      {
        onRequest: emailUser,
        schema: {
          tags,
          summary: "Change email, step 1: codes of the new (and old) address → updateEmailToken",
          body: VerifyUpdateEmailRequestDto,
          response: { 200: UpdateEmailTokenResponse },
        },
      },
      async (request) => {
        const payload = request.body.emailPassCodePayload ?? request.body.emailPasscodePayload;
        return ok(request, await ctx.profile.verifyUpdateEmailRequest(await who(request), payload));
      },
    );

    app.post(
      authPaths.updateEmail,
      {
        onRequest: emailUser,
        schema: {
          tags,
          summary: "Change email, step 2: spend the updateEmailToken",
          body: UpdateEmailDto,
          response: { 200: SuccessResponse },
        },
      },
      async (request) =>
        ok(request, await ctx.profile.updateEmail(await who(request), request.body.updateEmailToken)),
    );

    app.post(
      authPaths.updatePassword,
      {
        onRequest,
        schema: {
          tags,
          summary: "Change the password (oldPassword when one is set, or a passwordResetToken)",
          body: UpdatePasswordDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.profile.updatePassword(await who(request), request.body);
        return ok(request);
      },
    );

    app.post(
      authPaths.verifyResetPasswordRequest,
      {
        preHandler: anonymous,
        schema: {
          tags,
          summary: "Forgot password, step 1 (anonymous): CHANNEL_RESET_PASSWORD code → passwordResetToken",
          body: VerifyResetPasswordRequestDto,
          response: { 200: PasswordResetTokenResponse },
        },
      },
      async (request) =>
        ok(
          request,
          await ctx.profile.verifyResetPasswordRequest(appCallOf(request, appScopeOf(request)), request.body),
        ),
    );

    app.post(
      authPaths.resetPassword,
      {
        preHandler: anonymous,
        schema: {
          tags,
          summary: "Forgot password, step 2 (anonymous): set the password, end every session",
          body: ResetPasswordDto,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await ctx.profile.resetPassword(appCallOf(request, appScopeOf(request)), request.body);
        return ok(request, { success: true });
      },
    );

    app.post(
      authPaths.verifyDeleteAccountRequest,
      {
        onRequest,
        schema: {
          tags,
          summary: "Delete account, step 1: phone/email code (or password) → deleteAccountToken",
          body: VerifyDeleteAccountRequestDto,
          response: { 200: DeleteAccountTokenResponse },
        },
      },
      async (request) =>
        ok(request, await ctx.profile.verifyDeleteAccountRequest(await who(request), request.body)),
    );

    app.post(
      authPaths.deleteAccount,
      {
        onRequest,
        schema: {
          tags,
          summary: "Delete account, step 2: spend the deleteAccountToken",
          body: DeleteAccountDto,
          response: { 200: SuccessResponse },
        },
      },
      async (request) =>
        ok(request, await ctx.profile.deleteAccount(await who(request), request.body.deleteAccountToken)),
    );
  };
}
