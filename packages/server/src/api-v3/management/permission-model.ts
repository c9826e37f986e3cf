import {
  AssignRoleRequest,
  CreateGroupRequest,
  CreateNamespaceRequest,
  CreateRoleRequest,
  DeleteGroupsRequest,
  DeleteRolesRequest,
  GroupMembersRequest,
  GroupPageResponse,
  GroupQuery,
  GroupResponse,
  HasAnyRoleRequest,
  HasAnyRoleResponse,
  ListGroupMembersQuery,
  ListGroupsQuery,
  ListNamespacesQuery,
  ListRoleMembersQuery,
  ListRolesQuery,
  MemberPageResponse,
  NamespaceCodeBody,
  NamespaceCodeQuery,
  NamespacePageResponse,
  NamespaceResponse,
  managementPaths as p,
  RevokeRoleRequest,
  RolePageResponse,
  RoleQuery,
  RoleResponse,
  SuccessResponse,
  UpdateGroupRequest,
  UpdateNamespaceRequest,
  UpdateRoleRequest,
  UserIdOnlyQuery,
  UserRolesQuery,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { done, poolRoutes } from "./pool-routes.js";

/** Management API: permission namespaces, roles and groups (docs/authorization.md). */
export function managementPermissionModelRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const { namespaces, roles, groups } = ctx.authz;

    const ns = poolRoutes(app, ["management: permission namespaces"]);
    // The older namespace family is the same thing under other paths.
    for (const [create, get, list, update, remove] of [
      [
        p.createPermissionNamespace,
        p.getPermissionNamespace,
        p.listPermissionNamespaces,
        p.updatePermissionNamespace,
        p.deletePermissionNamespace,
      ],
      [p.createNamespace, p.getNamespace, p.listNamespaces, p.updateNamespace, p.deleteNamespace],
    ]) {
      ns.post(
        create,
        "Create a permission namespace",
        CreateNamespaceRequest,
        NamespaceResponse,
        namespaces.create,
      );
      ns.get(get, "Get a permission namespace", NamespaceCodeQuery, NamespaceResponse, (pool, q) =>
        namespaces.get(pool, q.code),
      );
      ns.get(list, "List permission namespaces", ListNamespacesQuery, NamespacePageResponse, namespaces.list);
      ns.post(
        update,
        "Rename or describe a permission namespace",
        UpdateNamespaceRequest,
        NamespaceResponse,
        namespaces.update,
      );
      ns.post(
        remove,
        "Delete a permission namespace and everything in it",
        NamespaceCodeBody,
        SuccessResponse,
        done((pool, b, o) => namespaces.remove(pool, b.code, o)),
      );
    }

    const r = poolRoutes(app, ["management: roles"]);
    r.post(p.createRole, "Create a role", CreateRoleRequest, RoleResponse, roles.create);
    r.get(p.listRoles, "List a namespace's roles", ListRolesQuery, RolePageResponse, roles.list);
    r.get(p.getRole, "Get a role", RoleQuery, RoleResponse, (pool, q) =>
      roles.get(pool, q.code, q.namespace),
    );
    r.post(
      p.updateRole,
      "Update a role (code, name, status, expiry)",
      UpdateRoleRequest,
      SuccessResponse,
      done(roles.update),
    );
    r.post(p.deleteRolesBatch, "Delete roles", DeleteRolesRequest, SuccessResponse, done(roles.removeBatch));
    r.post(
      p.assignRole,
      "Give a role to users and groups, optionally for a time window",
      AssignRoleRequest,
      SuccessResponse,
      done(roles.assign),
    );
    r.post(
      p.revokeRole,
      "Take a role from users and groups",
      RevokeRoleRequest,
      SuccessResponse,
      done(roles.revoke),
    );
    r.get(
      p.listRoleMembers,
      "Users holding a role directly",
      ListRoleMembersQuery,
      MemberPageResponse,
      roles.members,
    );
    r.get(
      p.getUserRoles,
      "A user's roles in a namespace, with their status",
      UserRolesQuery,
      RolePageResponse,
      roles.ofUser,
    );
    r.post(
      p.hasAnyRole,
      "Whether a user holds any of these roles now",
      HasAnyRoleRequest,
      HasAnyRoleResponse,
      async (pool, b) => ({
        hasAnyRole: await roles.hasAny(pool, b),
      }),
    );

    const g = poolRoutes(app, ["management: groups"]);
    g.post(p.createGroup, "Create a group", CreateGroupRequest, GroupResponse, groups.create);
    g.get(p.listGroups, "List groups", ListGroupsQuery, GroupPageResponse, groups.list);
    g.get(p.getGroup, "Get a group", GroupQuery, GroupResponse, (pool, q) =>
      groups.get(pool, q.code, q.withCustomData),
    );
    g.post(p.updateGroup, "Update a group", UpdateGroupRequest, GroupResponse, groups.update);
    g.post(
      p.deleteGroupsBatch,
      "Delete groups",
      DeleteGroupsRequest,
      SuccessResponse,
      done((pool, b, o) => groups.removeBatch(pool, b.codeList, o)),
    );
    g.post(
      p.addGroupMembers,
      "Add users to a group",
      GroupMembersRequest,
      SuccessResponse,
      done(groups.addMembers),
    );
    g.post(
      p.removeGroupMembers,
      "Remove users from a group",
      GroupMembersRequest,
      SuccessResponse,
      done(groups.removeMembers),
    );
    g.get(p.listGroupMembers, "A group's members", ListGroupMembersQuery, MemberPageResponse, groups.members);
    g.get(p.getUserGroups, "A user's groups", UserIdOnlyQuery, GroupPageResponse, (pool, q) =>
      groups.ofUser(pool, q.userId, q.userIdType),
    );
  };
}
