import { type Static, Type } from "@sinclair/typebox";
import { Envelope } from "./common.js";
import { ActionName, AuthzCode, GroupDto, ResourceCode, ResourceType, RoleDto } from "./management-authz.js";

/**
 * The user's side of permissions (docs/authorization.md): "user-related resources" and the
 * permission checks of authing-node-sdk 4.0.1's AuthenticationClient.
 */

/** A check names at most this many resources: enough for a page, too few to hold a worker. */
const Resources = Type.Array(ResourceCode, { minItems: 1, maxItems: 100 });

export const MyRoleListQuery = Type.Object({ namespace: Type.Optional(AuthzCode) });
export const MyResourcesQuery = Type.Object({
  namespace: Type.Optional(AuthzCode),
  resourceType: Type.Optional(ResourceType),
});
export type MyResourcesQuery = Static<typeof MyResourcesQuery>;
export const CheckPermissionRequest = Type.Object({ resources: Resources, action: ActionName });
export type CheckPermissionRequest = Static<typeof CheckPermissionRequest>;
export const ResourcePermissionListRequest = Type.Object({ resources: Resources });
export const ResourceStructRequest = Type.Object({ resource: AuthzCode });

export const CheckPermissionData = Type.Object({
  checkResultList: Type.Array(
    Type.Object({
      namespaceCode: Type.String(),
      action: Type.String(),
      resource: Type.String(),
      enabled: Type.Boolean(),
    }),
  ),
});
export type CheckPermissionData = Static<typeof CheckPermissionData>;
export const CheckPermissionResponse = Envelope(CheckPermissionData);
export const ResourcePermissionListData = Type.Object({
  permissionList: Type.Array(
    Type.Object({
      namespaceCode: Type.String(),
      actions: Type.Array(Type.String()),
      resource: Type.String(),
    }),
  ),
});
export type ResourcePermissionListData = Static<typeof ResourcePermissionListData>;
export const ResourcePermissionListResponse = Envelope(ResourcePermissionListData);
export const MyRoleListResponse = Envelope(Type.Array(RoleDto));
export const MyGroupListResponse = Envelope(Type.Array(GroupDto));
export const AccessibleAppDto = Type.Object({
  appId: Type.String(),
  appName: Type.String(),
  appLoginUrl: Type.String(),
  appLogo: Type.String(),
  active: Type.Boolean(),
});
export type AccessibleAppDto = Static<typeof AccessibleAppDto>;
export const AccessibleAppsResponse = Envelope(Type.Array(AccessibleAppDto));
/** Departments and tenants are not modelled: these answer empty lists (docs/authorization.md). */
export const MyDepartmentListResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(Type.Unknown()) }),
);
export const MyTenantListResponse = Envelope(Type.Array(Type.Unknown()));

/** get-user-auth-resource-list: the data resources of the app's namespace with what the user may do. */
export const UserAuthResourceListResponse = Envelope(
  Type.Object({
    userPermissionList: Type.Array(
      Type.Object({
        userId: Type.String(),
        namespaceCode: Type.String(),
        resourceList: Type.Optional(Type.Array(Type.Unknown())),
      }),
    ),
  }),
);
export const ResourceStructResponse = Envelope(
  Type.Object({
    namespaceCode: Type.String(),
    resourceCode: Type.String(),
    resourceType: Type.String(),
    strResourceAuthAction: Type.Optional(Type.Unknown()),
    arrResourceAuthAction: Type.Optional(Type.Unknown()),
    treeResourceAuthAction: Type.Optional(Type.Unknown()),
  }),
);
