import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  ApplicationMfaSettingsResponse,
  GetMfaTriggerDataQuery,
  MfaInfoResponse,
  managementPaths,
  ResetUserMfaDto,
  ResetUserMfaResponse,
  SetMfaStatusDto,
  SuccessResponse,
  UpdateApplicationMfaSettings,
  UserIdQuery,
  UserMfaInfoResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { eventOrigin } from "../../http/event-origin.js";
import { managementOf } from "../../http/management-auth.js";

const tags = ["management: mfa"];

/** The administrator's side of MFA (docs/mfa.md §Management API). */
export function managementMfaRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const admin = ctx.mfa.admin;
    app.get(
      managementPaths.getUserMfaInfo,
      {
        schema: {
          tags,
          summary: "Which factor types a user has enrolled",
          querystring: UserIdQuery,
          response: { 200: UserMfaInfoResponse },
        },
      },
      async (request) => {
        const { userId, userIdType } = request.query;
        return ok(request, await ctx.mfa.userMfaInfo(managementOf(request).poolId, userId, userIdType));
      },
    );

    app.post(
      managementPaths.updateApplicationMfaSettings,
      {
        schema: {
          tags,
          summary: "Switch factors on or off for one application; answers its factors",
          body: UpdateApplicationMfaSettings,
          response: { 200: ApplicationMfaSettingsResponse },
        },
      },
      async (request) =>
        ok(
          request,
          await admin.updateApplicationMfa(managementOf(request).poolId, request.body, eventOrigin(request)),
        ),
    );

    app.get(
      managementPaths.getMfaTriggerData,
      {
        schema: {
          tags,
          summary: "The MFA step of a user through an application, with a fresh MFA token",
          querystring: GetMfaTriggerDataQuery,
          response: { 200: MfaInfoResponse },
        },
      },
      async (request) => {
        const { appId, userId, userIdType } = request.query;
        return ok(request, await admin.triggerData(managementOf(request).poolId, appId, userId, userIdType));
      },
    );

    app.post(
      managementPaths.setMfaStatus,
      {
        schema: {
          tags,
          summary: "Set a user's MFA trigger data (its applicationMfa switches factors for the user)",
          body: SetMfaStatusDto,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        const { userId, userIdType, mfaTriggerData } = request.body;
        await admin.setStatus(
          managementOf(request).poolId,
          userId,
          userIdType,
          mfaTriggerData,
          eventOrigin(request),
        );
        return ok(request, { success: true });
      },
    );

    app.get(
      managementPaths.getMfaStatus,
      {
        schema: {
          tags,
          summary: "A user's MFA trigger data (no token)",
          querystring: UserIdQuery,
          response: { 200: MfaInfoResponse },
        },
      },
      async (request) => {
        const { userId, userIdType } = request.query;
        return ok(request, await admin.getStatus(managementOf(request).poolId, userId, userIdType));
      },
    );

    app.post(
      managementPaths.resetUserMfa,
      {
        schema: {
          tags,
          summary: "Gatehouse's own: remove every second factor of a user and lift the MFA lock",
          body: ResetUserMfaDto,
          response: { 200: ResetUserMfaResponse },
        },
      },
      async (request) => {
        const { userId, userIdType } = request.body;
        const removedFactors = await admin.resetUserFactors(
          managementOf(request).poolId,
          eventOrigin(request),
          userId,
          userIdType,
        );
        return ok(request, { success: true, removedFactors });
      },
    );
  };
}
