import {
  CustomFieldListResponse,
  GetCustomFieldsQuery,
  MfaDisableSettings,
  MfaSettingsResponse,
  MfaSettingsUpdate,
  managementPaths,
  SecuritySettingsResponse,
  SetCustomFieldsRequest,
  UpdateSecuritySettingsRequest,
} from "@gatehouse/protocol";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { eventOrigin } from "../../http/event-origin.js";
import { managementOf } from "../../http/management-auth.js";

const tags = ["management: settings"];

/** Pool security settings, global MFA settings and user custom fields (docs/wire-contract.md §4). */
export function managementSettingsRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const settings = ctx.admin.poolSettings;
    const fields = ctx.admin.customFields;

    app.get(
      managementPaths.getSecuritySettings,
      {
        schema: {
          tags,
          summary: "The pool's security settings",
          response: { 200: SecuritySettingsResponse },
        },
      },
      async (request) => ok(request, await settings.get(managementOf(request).poolId)),
    );

    app.post<{ Body: Record<string, unknown> }>(
      managementPaths.updateSecuritySettings,
      {
        schema: {
          tags,
          summary: "Change any subset of the security settings (deep merge)",
          body: UpdateSecuritySettingsRequest,
          response: { 200: SecuritySettingsResponse },
        },
      },
      async (request) =>
        ok(request, await settings.update(managementOf(request).poolId, request.body, eventOrigin(request))),
    );

    app.get(
      managementPaths.getGlobalMfaSettings,
      {
        schema: {
          tags,
          summary: "Enabled MFA factors and the MFA policy",
          response: { 200: MfaSettingsResponse },
        },
      },
      async (request) => ok(request, await settings.getMfa(managementOf(request).poolId)),
    );

    app.post<{ Body: MfaSettingsUpdate }>(
      managementPaths.updateGlobalMfaSettings,
      {
        schema: {
          tags,
          summary: "Set the enabled MFA factors and the MFA policy (docs/mfa.md §Policy)",
          body: MfaSettingsUpdate,
          response: { 200: MfaSettingsResponse },
        },
      },
      async (request) =>
        ok(
          request,
          await settings.updateMfa(managementOf(request).poolId, request.body, eventOrigin(request)),
        ),
    );

    app.post<{ Body: MfaDisableSettings }>(
      managementPaths.disableGlobalMfaSettings,
      {
        schema: {
          tags,
          summary: "Take factors out of the enabled MFA factors",
          body: MfaDisableSettings,
          response: { 200: MfaSettingsResponse },
        },
      },
      async (request) =>
        ok(
          request,
          await settings.disableMfa(
            managementOf(request).poolId,
            request.body.disableFactors,
            eventOrigin(request),
          ),
        ),
    );

    app.get<{ Querystring: Static<typeof GetCustomFieldsQuery> }>(
      managementPaths.getCustomFields,
      {
        schema: {
          tags,
          summary: "Custom field definitions",
          querystring: GetCustomFieldsQuery,
          response: { 200: CustomFieldListResponse },
        },
      },
      async (request) =>
        ok(request, await fields.list(managementOf(request).poolId, request.query.targetType)),
    );

    app.post<{ Body: SetCustomFieldsRequest }>(
      managementPaths.setCustomFields,
      {
        schema: {
          tags,
          summary: "Create or change USER custom fields",
          body: SetCustomFieldsRequest,
          response: { 200: CustomFieldListResponse },
        },
      },
      async (request) => ok(request, await fields.set(managementOf(request).poolId, request.body.list)),
    );
  };
}
