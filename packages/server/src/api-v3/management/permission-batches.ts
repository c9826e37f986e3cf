import {
  AllGroupsQuery,
  CheckDataPolicyExistsQuery,
  CheckDataResourceExistsQuery,
  CheckExistsResponse,
  CheckNamespaceExistsRequest,
  CreateGroupsBatchRequest,
  CreateNamespacesBatchRequest,
  CreateOrUpdateGroupRequest,
  CreateOrUpdateGroupResponse,
  CreateResourcesBatchRequest,
  CreateRolesBatchRequest,
  DataPolicyTargetPageResponse,
  DeleteResourcesBatchRequest,
  DeleteRolesAcrossNamespacesRequest,
  GroupListResponse,
  ListDataPolicyTargetsQuery,
  ListSimpleDataPoliciesQuery,
  NamespaceCodeListBody,
  NamespaceCodeListQuery,
  NamespaceCodesBody,
  NamespaceCodesQuery,
  NamespaceListResponse,
  NamespaceRolePageResponse,
  NamespaceRolesQuery,
  managementPaths as p,
  ResourceListResponse,
  ResourcesBatchQuery,
  RoleBatchRequest,
  SimpleDataPolicyPageResponse,
  SuccessResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { checkAnswerIn } from "../../errors.js";
import { done, poolRoutes } from "./pool-routes.js";

/** Management API: the batch and "exists" variants of the permission chapters (docs/authorization.md §Batch calls). */
export function managementPermissionBatchRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const { namespaces, roles, groups, resources, dataResources, dataPolicies } = ctx.authz;
    const r = poolRoutes(app, ["management: permission batches"]);

    // The older namespace family and the permission-namespace one name their lists differently.
    r.post(
      p.createNamespacesBatch,
      "Create namespaces (all or nothing)",
      CreateNamespacesBatchRequest,
      SuccessResponse,
      done((pool, b, o) => namespaces.createMany(pool, b.list, o)),
    );
    r.post(
      p.createPermissionNamespacesBatch,
      "Create permission namespaces (all or nothing)",
      CreateNamespacesBatchRequest,
      SuccessResponse,
      done((pool, b, o) => namespaces.createMany(pool, b.list, o)),
    );
    r.get(
      p.getNamespacesBatch,
      "The namespaces of these codes",
      NamespaceCodeListQuery,
      NamespaceListResponse,
      (pool, q) => namespaces.getMany(pool, q.codeList),
    );
    r.get(
      p.getPermissionNamespacesBatch,
      "The permission namespaces of these codes",
      NamespaceCodesQuery,
      NamespaceListResponse,
      (pool, q) => namespaces.getMany(pool, q.codes),
    );
    r.post(
      p.deleteNamespacesBatch,
      "Delete namespaces",
      NamespaceCodeListBody,
      SuccessResponse,
      done((pool, b, o) => namespaces.removeMany(pool, b.codeList, o)),
    );
    r.post(
      p.deletePermissionNamespacesBatch,
      "Delete permission namespaces",
      NamespaceCodesBody,
      SuccessResponse,
      done((pool, b, o) => namespaces.removeMany(pool, b.codes, o)),
    );
    r.post(
      p.checkPermissionNamespaceExists,
      "Whether a namespace code or name is free",
      CheckNamespaceExistsRequest,
      CheckExistsResponse,
      async (pool, b, _origin, language) => checkAnswerIn(await namespaces.checkExists(pool, b), language),
    );

    r.post(
      p.createRolesBatch,
      "Create roles (all or nothing)",
      CreateRolesBatchRequest,
      SuccessResponse,
      done((pool, b, o) => roles.createMany(pool, o, b.list)),
    );
    r.post(
      p.assignRoleBatch,
      "Assign roles to targets",
      RoleBatchRequest,
      SuccessResponse,
      done(roles.assignBatch),
    );
    r.post(
      p.revokeRoleBatch,
      "Revoke roles from targets",
      RoleBatchRequest,
      SuccessResponse,
      done(roles.revokeBatch),
    );
    r.post(
      p.deleteRolesAcrossNamespaces,
      "Delete roles of several namespaces",
      DeleteRolesAcrossNamespacesRequest,
      SuccessResponse,
      done(roles.removeAcrossNamespaces),
    );

    r.post(
      p.createGroupsBatch,
      "Create groups (all or nothing)",
      CreateGroupsBatchRequest,
      GroupListResponse,
      (pool, b, o) => groups.createMany(pool, b.list, o),
    );
    r.post(
      p.createOrUpdateGroup,
      "Create a group, or update the group of this code",
      CreateOrUpdateGroupRequest,
      CreateOrUpdateGroupResponse,
      groups.createOrUpdate,
    );
    r.get(
      p.listPermissionNamespaceRoles,
      "A namespace's roles",
      NamespaceRolesQuery,
      NamespaceRolePageResponse,
      roles.ofNamespace,
    );
    r.get(p.getAllGroups, "Every group of the pool", AllGroupsQuery, GroupListResponse, groups.all);

    r.post(
      p.createResourcesBatch,
      "Create resources (all or nothing)",
      CreateResourcesBatchRequest,
      SuccessResponse,
      done((pool, b, o) => resources.createMany(pool, o, b.list, b.namespace)),
    );
    r.get(
      p.getResourcesBatch,
      "The resources of these codes",
      ResourcesBatchQuery,
      ResourceListResponse,
      (pool, q) => resources.getMany(pool, q.codeList, q.namespace),
    );
    r.post(
      p.deleteResourcesBatch,
      "Delete resources and their grants",
      DeleteResourcesBatchRequest,
      SuccessResponse,
      done(resources.removeMany),
    );

    r.get(
      p.checkDataResourceExists,
      "Whether a data resource code or name is free",
      CheckDataResourceExistsQuery,
      CheckExistsResponse,
      async (pool, q, language) => checkAnswerIn(await dataResources.checkFree(pool, q), language),
    );
    r.get(
      p.checkDataPolicyExists,
      "Whether a data policy name is free",
      CheckDataPolicyExistsQuery,
      CheckExistsResponse,
      async (pool, q, language) =>
        checkAnswerIn(await dataPolicies.checkNameFree(pool, q.policyName), language),
    );
    r.get(
      p.listSimpleDataPolicies,
      "Data policies, names only",
      ListSimpleDataPoliciesQuery,
      SimpleDataPolicyPageResponse,
      dataPolicies.listSimple,
    );
    r.get(
      p.listDataPolicyTargets,
      "Who holds a data policy",
      ListDataPolicyTargetsQuery,
      DataPolicyTargetPageResponse,
      dataPolicies.targets,
    );
  };
}
