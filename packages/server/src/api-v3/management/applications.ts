import {
  AppIdBody,
  AppIdQuery,
  ApplicationPageResponse,
  ApplicationResponse,
  ApplicationSecretResponse,
  CreateApplicationRequest,
  ListApplicationsQuery,
  SuccessResponse,
  UpdateApplicationRequest,
} from "@gatehouse/protocol";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { managementOf } from "../../http/management-auth.js";

const tags = ["management: applications"];
type AppId = Static<typeof AppIdBody>;

/** Management API, applications (wire contract §4, ApplicationDto). */
export function managementApplicationRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const apps = ctx.admin.apps;

    app.post<{ Body: CreateApplicationRequest }>(
      "/api/v3/create-application",
      {
        schema: {
          tags,
          summary: "Create an application",
          body: CreateApplicationRequest,
          response: { 200: ApplicationResponse },
        },
      },
      async (request) => ok(request, await apps.create(managementOf(request).poolId, request.body)),
    );

    app.get<{ Querystring: ListApplicationsQuery }>(
      "/api/v3/list-applications",
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
      "/api/v3/get-application",
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
      "/api/v3/update-application",
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
        await apps.update(managementOf(request).poolId, request.body);
        return ok(request, { success: true });
      },
    );

    app.post<{ Body: AppId }>(
      "/api/v3/delete-application",
      {
        schema: {
          tags,
          summary: "Delete an application",
          body: AppIdBody,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await apps.remove(managementOf(request).poolId, request.body.appId);
        return ok(request, { success: true });
      },
    );

    app.get<{ Querystring: AppId }>(
      "/api/v3/get-application-secret",
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
      "/api/v3/refresh-application-secret",
      {
        schema: {
          tags,
          summary: "Replace an application's secret",
          body: AppIdBody,
          response: { 200: ApplicationSecretResponse },
        },
      },
      async (request) =>
        ok(request, { secret: await apps.refreshSecret(managementOf(request).poolId, request.body.appId) }),
    );
  };
}
