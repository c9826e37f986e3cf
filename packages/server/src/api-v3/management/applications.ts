import {
  AppIdBody,
  AppIdQuery,
  ApplicationPageResponse,
  ApplicationResponse,
  ApplicationSecretResponse,
  CreateApplicationRequest,
  ListApplicationsQuery,
  managementPaths,
  SuccessResponse,
  UpdateApplicationRequest,
} from "@gatehouse/protocol";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { eventOrigin } from "../../http/event-origin.js";
import { managementOf } from "../../http/management-auth.js";

const tags = ["management: applications"];
type AppId = Static<typeof AppIdBody>;

/** Management API, applications (docs/wire-contract.md §4, ApplicationDto). */
export function managementApplicationRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const apps = ctx.admin.apps;

    app.post<{ Body: CreateApplicationRequest }>(
      managementPaths.createApplication,
      {
        schema: {
          tags,
          summary: "Create an application",
          body: CreateApplicationRequest,
          response: { 200: ApplicationResponse },
        },
      },
      async (request) =>
        ok(request, await apps.create(managementOf(request).poolId, request.body, eventOrigin(request))),
    );

    app.get<{ Querystring: ListApplicationsQuery }>(
      managementPaths.listApplications,
      {
        schema: {
          tags,
          summary: "List the pool's applications",
          querystring: ListApplicationsQuery,
          response: { 200: ApplicationPageResponse },
        },
      },
      async (request) => ok(request, await apps.list(managementOf(request).poolId, request.query)),
    );

    app.get<{ Querystring: AppId }>(
      managementPaths.getApplication,
      {
        schema: {
          tags,
          summary: "Get an application",
          querystring: AppIdQuery,
          response: { 200: ApplicationResponse },
        },
      },
      async (request) => ok(request, await apps.get(managementOf(request).poolId, request.query.appId)),
    );

    app.post<{ Body: UpdateApplicationRequest }>(
      managementPaths.updateApplication,
      {
        schema: {
          tags,
          summary:
            "Update an application (redirect URIs, oidcConfig lifetimes and auth method, login/register methods…)",
          body: UpdateApplicationRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await apps.update(managementOf(request).poolId, request.body, eventOrigin(request));
        return ok(request, { success: true });
      },
    );

    app.post<{ Body: AppId }>(
      managementPaths.deleteApplication,
      {
        schema: {
          tags,
          summary: "Delete an application",
          body: AppIdBody,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await apps.remove(managementOf(request).poolId, request.body.appId, eventOrigin(request));
        return ok(request, { success: true });
      },
    );

    app.get<{ Querystring: AppId }>(
      managementPaths.getApplicationSecret,
      {
        schema: {
          tags,
          summary: "An application's secret",
          querystring: AppIdQuery,
          response: { 200: ApplicationSecretResponse },
        },
      },
      async (request) =>
        ok(request, { secret: await apps.secret(managementOf(request).poolId, request.query.appId) }),
    );

    app.post<{ Body: AppId }>(
      managementPaths.refreshApplicationSecret,
      {
        schema: {
          tags,
          summary: "Replace an application's secret",
          body: AppIdBody,
          response: { 200: ApplicationSecretResponse },
        },
      },
      async (request) =>
        ok(request, {
          secret: await apps.refreshSecret(
            managementOf(request).poolId,
            request.body.appId,
            eventOrigin(request),
          ),
        }),
    );
  };
}
