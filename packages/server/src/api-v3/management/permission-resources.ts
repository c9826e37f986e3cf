import {
  AuthorizedResourceListResponse,
  AuthorizedResourcePageResponse,
  AuthorizeResourcesRequest,
  CreateResourceRequest,
  ListResourcesQuery,
  managementPaths as p,
  ResourcePageResponse,
  ResourceQuery,
  ResourceResponse,
  SuccessResponse,
  TargetResourcesQuery,
  UpdateResourceRequest,
  UserResourcesQuery,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { done, poolRoutes } from "./pool-routes.js";

/** Management API: common resources and their grants (docs/authorization.md). */
export function managementPermissionResourceRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const { resources } = ctx.authz;
    const r = poolRoutes(app, ["management: resources"]);
    r.post(
      p.createResource,
      "Create a resource with its actions",
      CreateResourceRequest,
      ResourceResponse,
      resources.create,
    );
    r.get(p.getResource, "Get a resource", ResourceQuery, ResourceResponse, (pool, q) =>
      resources.get(pool, q.code, q.namespace),
    );
    r.get(
      p.listResources,
      "List a namespace's resources",
      ListResourcesQuery,
      ResourcePageResponse,
      resources.list,
    );
    r.post(p.updateResource, "Update a resource", UpdateResourceRequest, ResourceResponse, resources.update);
    r.post(
      p.deleteResource,
      "Delete a resource and its grants",
      ResourceQuery,
      SuccessResponse,
      done((pool, b, o) => resources.remove(pool, o, b.code, b.namespace)),
    );
    r.post(
      p.authorizeResources,
      "Grant (ALLOW) or take away (DENY) actions on resources",
      AuthorizeResourcesRequest,
      SuccessResponse,
      done(resources.authorize),
    );
    r.get(
      p.getUserAuthorizedResources,
      "What a user may do: own, groups' and roles' grants folded",
      UserResourcesQuery,
      AuthorizedResourcePageResponse,
      resources.ofUser,
    );
    r.get(
      p.getRoleAuthorizedResources,
      "A role's grants",
      TargetResourcesQuery,
      AuthorizedResourcePageResponse,
      resources.ofRole,
    );
    r.get(
      p.getGroupAuthorizedResources,
      "A group's grants",
      TargetResourcesQuery,
      AuthorizedResourceListResponse,
      resources.ofGroup,
    );
  };
}
