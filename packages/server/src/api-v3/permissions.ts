import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  AccessibleAppsResponse,
  AuthorizedResourcePageResponse,
  authPaths,
  CheckPermissionRequest,
  CheckPermissionResponse,
  MyDepartmentListResponse,
  MyGroupListResponse,
  MyResourcesQuery,
  MyRoleListQuery,
  MyRoleListResponse,
  MyTenantListResponse,
  ResourcePermissionListRequest,
  ResourcePermissionListResponse,
  ResourceStructRequest,
  ResourceStructResponse,
  UserAuthResourceListResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { ok } from "../http/envelope.js";
import { requireUser, userOf } from "../http/user-auth.js";
import type { CheckKind } from "../services/authz/my-permissions.js";

/**
 * What the signed-in user may do: their roles, groups, resources and apps ("用户相关资源") and the
 * permission checks ("鉴权"), docs/authorization.md.
 */
export function permissionRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const my = ctx.authz.my;
    const preHandler = requireUser(ctx, "profile");
    const resourceTags = ["user resources"];
    const checkTags = ["permission checks"];

    app.get(
      authPaths.getMyRoleList,
      {
        schema: {
          tags: resourceTags,
          summary: "My roles that grant now",
          querystring: MyRoleListQuery,
          response: { 200: MyRoleListResponse },
        },
        preHandler,
      },
      async (request) => ok(request, await my.roles(userOf(request), request.query.namespace)),
    );
    app.get(
      authPaths.getMyGroupList,
      {
        schema: { tags: resourceTags, summary: "My groups", response: { 200: MyGroupListResponse } },
        preHandler,
      },
      async (request) => ok(request, await my.groups(userOf(request))),
    );
    app.get(
      authPaths.getMyAuthorizedResources,
      {
        schema: {
          tags: resourceTags,
          summary: "What I may do in a namespace, grants folded",
          querystring: MyResourcesQuery,
          response: { 200: AuthorizedResourcePageResponse },
        },
        preHandler,
      },
      async (request) =>
        ok(request, await my.resources(userOf(request), request.query.namespace, request.query.resourceType)),
    );
    app.get(
      authPaths.getMyAccessibleApps,
      {
        schema: {
          tags: resourceTags,
          summary: "Applications I may use",
          response: { 200: AccessibleAppsResponse },
        },
        preHandler,
      },
      async (request) => {
        const user = userOf(request);
        return ok(request, await ctx.authz.appAccess.myApps(user.poolId, user.userId));
      },
    );
    app.get(
      authPaths.getMyDepartmentList,
      {
        schema: {
          tags: resourceTags,
          summary: "My departments (not modelled: empty)",
          response: { 200: MyDepartmentListResponse },
        },
        preHandler,
      },
      async (request) => ok(request, { totalCount: 0, list: [] }),
    );
    app.get(
      authPaths.getMyTenantList,
      {
        schema: {
          tags: resourceTags,
          summary: "My tenants (not modelled: empty)",
          response: { 200: MyTenantListResponse },
        },
        preHandler,
      },
      async (request) => ok(request, []),
    );

    const checks: [string, CheckKind][] = [
      [authPaths.checkPermissionStringResource, "string"],
      [authPaths.checkPermissionArrayResource, "array"],
      [authPaths.checkPermissionTreeResource, "tree"],
    ];
    for (const [path, kind] of checks) {
      app.post(
        path,
        {
          schema: {
            tags: checkTags,
            summary: `May I take this action on these ${kind} resources?`,
            body: CheckPermissionRequest,
            response: { 200: CheckPermissionResponse },
          },
          preHandler,
        },
        async (request) =>
          ok(request, await my.check(userOf(request), kind, request.body.resources, request.body.action)),
      );
    }
    app.post(
      authPaths.getUserAuthResourcePermissionList,
      {
        schema: {
          tags: checkTags,
          summary: "Every action I may take on these resources",
          body: ResourcePermissionListRequest,
          response: { 200: ResourcePermissionListResponse },
        },
        preHandler,
      },
      async (request) => ok(request, await my.permissionList(userOf(request), request.body.resources)),
    );
    app.get(
      authPaths.getUserAuthResourceList,
      {
        schema: {
          tags: checkTags,
          summary: "The data resources of my application and what I may do on them",
          response: { 200: UserAuthResourceListResponse },
        },
        preHandler,
      },
      async (request) => ok(request, await ctx.authz.myData.authResourceList(userOf(request))),
    );
    app.post(
      authPaths.getUserAuthResourceStruct,
      {
        schema: {
          tags: checkTags,
          summary: "One data resource's structure with what I may do on each part",
          body: ResourceStructRequest,
          response: { 200: ResourceStructResponse },
        },
        preHandler,
      },
      async (request) => ok(request, await ctx.authz.myData.struct(userOf(request), request.body.resource)),
    );
  };
}
