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
import { ok } from "../http/envelope.js";
import type { Tenant } from "../http/tenant.js";
import { requireUser, userOf } from "../http/user-auth.js";
import type { AppCall, SelfService } from "../services/profile/index.js";
import { assertOnlyProfileFields } from "../services/profile/index.js";
import { parsePoolSettings } from "../services/users/pool-settings.js";

/**
 * User information, part 1 (wire contract §3c #1–7, #17): profile, bind/unbind, security info,
 * validate-password. The two-step flows are in profile-flows.ts.
 */

/** Who a self-service call acts for: the token's user, in the token's pool, with that pool's settings. */
export async function selfServiceOf(ctx: Context, request: FastifyRequest): Promise<SelfService> {
  const user = userOf(request);
  const tenant = request.tenant;
  const settings =
    tenant && tenant.pool.id === user.poolId
      ? tenant.settings
      : parsePoolSettings((await ctx.repos.pools.findPoolById(user.poolId))?.settings ?? "{}");
  return {
    poolId: user.poolId,
    userId: user.userId,
    sessionId: user.sessionId,
    settings,
    meta: { ip: request.ip, userAgent: request.headers["user-agent"], appId: user.appId },
  };
}

/** An anonymous call for the application named by `x-authing-app-id`. */
export function appCallOf(request: FastifyRequest, tenant: Tenant): AppCall {
  return {
    poolId: tenant.pool.id,
    settings: tenant.settings,
    meta: { ip: request.ip, userAgent: request.headers["user-agent"], appId: tenant.app.id },
  };
}

const tags = ["profile"];

export function profileRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The access token is checked first, before the body is even looked at.
    const onRequest = requireUser(ctx);
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
        onRequest,
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
        onRequest,
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
        onRequest,
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
        onRequest,
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
