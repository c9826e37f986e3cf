import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  authPaths,
  BindEmailDto,
  BindPhoneDto,
  CommonResponse,
  GetProfileQuery,
  ProfileResponse,
  SecurityInfoResponse,
  UnbindEmailDto,
  UnbindPhoneDto,
  UpdateUserProfileDto,
  ValidatePasswordDto,
  ValidatePasswordResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { requestMeta } from "../http/app-scope.js";
import { ok } from "../http/envelope.js";
import { requireUser, userOf } from "../http/user-auth.js";
import type { AppScope } from "../services/auth/scope.js";
import type { AppCall, SelfService } from "../services/profile/index.js";
import { assertOnlyProfileFields } from "../services/profile/index.js";

/**
 * User information, part 1 (docs/wire-contract.md §3c #1–7, #17): profile, bind/unbind, security info,
 * validate-password. The two-step flows are in profile-flows.ts.
 */

/** Who a self-service call acts for: the token's user, in the token's pool, with that pool's settings. */
export async function selfServiceOf(ctx: Context, request: FastifyRequest): Promise<SelfService> {
  const user = userOf(request);
  const scope = request.appScope;
  const settings =
    request.userPoolSettings ??
    (scope && scope.pool.id === user.poolId ? scope.settings : await ctx.auth.poolSettings(user.poolId));
  return {
    poolId: user.poolId,
    userId: user.userId,
    sessionId: user.sessionId,
    scope: user.scope,
    settings,
    meta: requestMeta(request, user.appId),
  };
}

/** An anonymous call for the application named by `x-authing-app-id`. */
export function appCallOf(request: FastifyRequest, scope: AppScope): AppCall {
  return {
    poolId: scope.pool.id,
    settings: scope.settings,
    meta: requestMeta(request, scope.app.id),
  };
}

const tags = ["profile"];

export function profileRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The access token is checked first, before the body is even looked at.
    const onRequest = requireUser(ctx, "profile");
    const emailUser = requireUser(ctx, "email");
    const phoneUser = requireUser(ctx, "phone");
    const who = (request: FastifyRequest) => selfServiceOf(ctx, request);

    app.get(
      authPaths.getProfile,
      {
        onRequest,
        schema: {
          tags,
          summary: "The signed-in user",
          querystring: GetProfileQuery,
          response: { 200: ProfileResponse },
        },
      },
      async (request) => ok(request, await ctx.profile.getProfile(await who(request), request.query)),
    );

    app.post(
      authPaths.updateProfile,
      {
        onRequest,
        // Before validation: email/phone/password get a message naming the right endpoint.
        preValidation: async (request) => assertOnlyProfileFields(request.body),
        schema: {
          tags,
          summary: "Update the signed-in user's profile fields (not email, phone or password)",
          body: UpdateUserProfileDto,
          response: { 200: ProfileResponse },
        },
      },
      async (request) => ok(request, await ctx.profile.updateProfile(await who(request), request.body)),
    );

    app.post(
      authPaths.bindEmail,
      {
        onRequest: emailUser,
        schema: {
          tags,
          summary: "Bind an email (only when none is bound); code on CHANNEL_BIND_EMAIL",
          body: BindEmailDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.profile.bindEmail(await who(request), request.body);
        return ok(request);
      },
    );

    app.post(
      authPaths.unbindEmail,
      {
        onRequest: emailUser,
        schema: {
          tags,
          summary: "Unbind the email; code sent to it on CHANNEL_UNBIND_EMAIL",
          body: UnbindEmailDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.profile.unbindEmail(await who(request), request.body.passCode);
        return ok(request);
      },
    );

    app.post(
      authPaths.bindPhone,
      {
        onRequest: phoneUser,
        schema: {
          tags,
          summary: "Bind a phone (only when none is bound); code on CHANNEL_BIND_PHONE",
          body: BindPhoneDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.profile.bindPhone(await who(request), request.body);
        return ok(request);
      },
    );

    app.post(
      authPaths.unbindPhone,
      {
        onRequest: phoneUser,
        schema: {
          tags,
          summary: "Unbind the phone; code sent to it on CHANNEL_UNBIND_PHONE",
          body: UnbindPhoneDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.profile.unbindPhone(await who(request), request.body.passCode);
        return ok(request);
      },
    );

    app.get(
      authPaths.getSecurityInfo,
      {
        onRequest,
        schema: {
          tags,
          summary: "Security level of the account (SDK: getSecurityLevel)",
          response: { 200: SecurityInfoResponse },
        },
      },
      async (request) => ok(request, await ctx.profile.getSecurityInfo(await who(request))),
    );

    app.post(
      authPaths.validatePassword,
      {
        onRequest,
        schema: {
          tags,
          summary: "Is this the signed-in account's password?",
          body: ValidatePasswordDto,
          response: { 200: ValidatePasswordResponse },
        },
      },
      async (request) => ok(request, await ctx.profile.validatePassword(await who(request), request.body)),
    );
  };
}
