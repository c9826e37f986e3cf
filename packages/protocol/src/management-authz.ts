import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { BoolFlag, Envelope, EpochInt, NonEmpty, Str } from "./common.js";
import { ManagedUserDto, OneOf, UserIdType } from "./management-users.js";
import { UserDto } from "./user.js";

/**
 * Management API, permissions: namespaces, roles, groups, common resources and their grants
 * (docs/authorization.md). Shapes follow authing-node-sdk 4.0.1's CreateRoleDto, AssignRoleDto,
 * CreateGroupReqDto, CreateResourceDto, AuthorizeResourcesDto … one schema per body or query.
 */

const Opt = <T extends TSchema>(t: T) => Type.Optional(t);

/** Namespace, role and group codes: what GenAuth's console accepts, bounded. */
export const AuthzCode = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
});
/** Resource codes may be paths (`order/items`) or API routes; no control characters. */
export const ResourceCode = Type.String({
  minLength: 1,
  maxLength: 512,
  pattern: "^[^\\u0000-\\u001f\\u007f]+$",
});
export const ActionName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[^\\u0000-\\u001f\\u007f]+$",
});
// Spelled out (not OneOf) so the routes' type provider infers the literals.
export const ResourceType = Type.Union([
  Type.Literal("DATA"),
  Type.Literal("API"),
  Type.Literal("MENU"),
  Type.Literal("BUTTON"),
  Type.Literal("UI"),
]);
export type ResourceType = Static<typeof ResourceType>;
export const Effect = Type.Union([Type.Literal("ALLOW"), Type.Literal("DENY")]);
export type Effect = Static<typeof Effect>;
export const TargetType = OneOf(["USER", "ROLE", "GROUP", "DEPARTMENT"] as const);
export type TargetType = Static<typeof TargetType>;

const Page = Opt(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }));
const Limit = Opt(Type.Integer({ minimum: 1, maximum: 100, default: 10 }));
const Codes = Type.Array(AuthzCode, { minItems: 1, maxItems: 100 });
const UserIds = Type.Array(NonEmpty(255), { minItems: 1, maxItems: 100 });
const MemberFlags = {
  withCustomData: BoolFlag,
  withIdentities: BoolFlag,
  withDepartmentIds: BoolFlag,
  flatCustomData: BoolFlag,
};

// Permission namespaces (and the older "namespace" family, the same thing)

export const NamespaceDto = Type.Object({
  code: Type.String(),
  name: Type.String(),
  description: Opt(Type.String()),
  status: Opt(Type.Integer()),
});
export type NamespaceDto = Static<typeof NamespaceDto>;
export const CreateNamespaceRequest = Type.Object({
  code: AuthzCode,
  name: Opt(NonEmpty(128)),
  description: Opt(Str(1000)),
});
export type CreateNamespaceRequest = Static<typeof CreateNamespaceRequest>;
export const UpdateNamespaceRequest = Type.Object({
  code: AuthzCode,
  name: Opt(NonEmpty(128)),
  newCode: Opt(AuthzCode),
  description: Opt(Str(1000)),
});
export type UpdateNamespaceRequest = Static<typeof UpdateNamespaceRequest>;
export const NamespaceCodeBody = Type.Object({ code: AuthzCode });
export const NamespaceCodeQuery = Type.Object({ code: AuthzCode });
export const ListNamespacesQuery = Type.Object({
  page: Page,
  limit: Limit,
  /** listPermissionNamespaces sends `query`, listNamespaces `keywords`. */
  query: Opt(Str(128)),
  keywords: Opt(Str(128)),
});
export type ListNamespacesQuery = Static<typeof ListNamespacesQuery>;
export const NamespaceResponse = Envelope(NamespaceDto);
export const NamespacePageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(NamespaceDto) }),
);

// Roles

export const RoleDto = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  description: Type.String(),
  namespace: Type.String(),
  namespaceName: Type.String(),
  /** ENABLE or DISABLE: DISABLE once the role or the assignment has expired. */
  status: Opt(Type.String()),
  /** Epoch ms after which the role (or this assignment of it) grants nothing. */
  disableTime: Opt(Type.Integer()),
  enablePermissionApply: Opt(Type.Boolean()),
});
export type RoleDto = Static<typeof RoleDto>;
/**
 * Epoch ms as CreateRoleDto and UpdateRoleDto send it: a string of digits (a number too would make
 * the signed request ambiguous, docs/wire-contract.md §1.4.2), or null for "never".
 */
const EpochMsText = Type.Union([Type.String({ pattern: "^[0-9]{1,15}$" }), Type.Null()]);
export const CreateRoleRequest = Type.Object({
  code: AuthzCode,
  name: Opt(NonEmpty(128)),
  namespace: Opt(AuthzCode),
  description: Opt(Str(1000)),
  disableTime: Opt(EpochMsText),
});
export type CreateRoleRequest = Static<typeof CreateRoleRequest>;
export const UpdateRoleRequest = Type.Object({
  code: AuthzCode,
  newCode: Opt(AuthzCode),
  name: Opt(NonEmpty(128)),
  namespace: Opt(AuthzCode),
  description: Opt(Str(1000)),
  status: Opt(OneOf(["ENABLE", "DISABLE"] as const)),
  disableTime: Opt(EpochMsText),
  enablePermissionApply: Opt(Type.Boolean()),
});
export type UpdateRoleRequest = Static<typeof UpdateRoleRequest>;
export const DeleteRolesRequest = Type.Object({ codeList: Codes, namespace: Opt(AuthzCode) });
export type DeleteRolesRequest = Static<typeof DeleteRolesRequest>;
export const RoleQuery = Type.Object({ code: AuthzCode, namespace: Opt(AuthzCode) });
export type RoleQuery = Static<typeof RoleQuery>;
export const ListRolesQuery = Type.Object({
  page: Page,
  limit: Limit,
  keywords: Opt(Str(128)),
  namespace: Opt(AuthzCode),
});
export type ListRolesQuery = Static<typeof ListRolesQuery>;
export const RoleTarget = Type.Object({ targetType: TargetType, targetIdentifier: NonEmpty(255) });
export const AssignRoleRequest = Type.Object({
  targets: Type.Array(RoleTarget, { minItems: 1, maxItems: 100 }),
  code: AuthzCode,
  namespace: Opt(AuthzCode),
  /** Epoch ms; absent or null: never ends / starts now. */
  endTime: Opt(Type.Union([EpochInt(), Type.Null()])),
  enableTime: Opt(Type.Union([EpochInt(), Type.Null()])),
});
export type AssignRoleRequest = Static<typeof AssignRoleRequest>;
export const RevokeRoleRequest = Type.Object({
  targets: Type.Array(RoleTarget, { minItems: 1, maxItems: 100 }),
  code: AuthzCode,
  namespace: Opt(AuthzCode),
});
export type RevokeRoleRequest = Static<typeof RevokeRoleRequest>;
export const ListRoleMembersQuery = Type.Object({
  code: AuthzCode,
  namespace: Opt(AuthzCode),
  page: Page,
  limit: Limit,
  ...MemberFlags,
});
export type ListRoleMembersQuery = Static<typeof ListRoleMembersQuery>;
export const UserRolesQuery = Type.Object({
  userId: NonEmpty(255),
  userIdType: Opt(UserIdType),
  namespace: Opt(AuthzCode),
});
export type UserRolesQuery = Static<typeof UserRolesQuery>;
export const HasAnyRoleRequest = Type.Object({
  roles: Type.Array(Type.Object({ namespace: Opt(AuthzCode), code: AuthzCode }), {
    minItems: 1,
    maxItems: 100,
  }),
  userId: NonEmpty(255),
  options: Opt(Type.Object({ userIdType: Opt(UserIdType) })),
});
export type HasAnyRoleRequest = Static<typeof HasAnyRoleRequest>;
export const RoleResponse = Envelope(RoleDto);
export const RolePageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(RoleDto) }),
);
export const RoleListResponse = Envelope(Type.Array(RoleDto));
export const HasAnyRoleResponse = Envelope(Type.Object({ hasAnyRole: Type.Boolean() }));
export const MemberPageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(ManagedUserDto) }),
);

// Groups

export const GroupDto = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    name: Type.String(),
    description: Type.String(),
    type: Type.String(),
    metadataSource: Type.Array(Type.String()),
    members: Type.Array(UserDto),
  },
  { additionalProperties: true },
);
export type GroupDto = Static<typeof GroupDto>;
const CustomData = Opt(Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 100 }));
export const CreateGroupRequest = Type.Object({
  code: AuthzCode,
  name: NonEmpty(128),
  description: Opt(Str(1000)),
  type: Opt(Str(32)),
  customData: CustomData,
});
export type CreateGroupRequest = Static<typeof CreateGroupRequest>;
export const UpdateGroupRequest = Type.Object({
  code: AuthzCode,
  newCode: Opt(AuthzCode),
  name: Opt(NonEmpty(128)),
  description: Opt(Str(1000)),
  customData: CustomData,
});
export type UpdateGroupRequest = Static<typeof UpdateGroupRequest>;
export const DeleteGroupsRequest = Type.Object({ codeList: Codes });
export const GroupMembersRequest = Type.Object({ code: AuthzCode, userIds: UserIds });
export type GroupMembersRequest = Static<typeof GroupMembersRequest>;
export const GroupQuery = Type.Object({ code: AuthzCode, withCustomData: BoolFlag });
export type GroupQuery = Static<typeof GroupQuery>;
export const ListGroupsQuery = Type.Object({
  keywords: Opt(Str(128)),
  page: Page,
  limit: Limit,
  withMetadata: BoolFlag,
  withCustomData: BoolFlag,
  flatCustomData: BoolFlag,
});
export type ListGroupsQuery = Static<typeof ListGroupsQuery>;
export const ListGroupMembersQuery = Type.Object({
  code: AuthzCode,
  page: Page,
  limit: Limit,
  ...MemberFlags,
});
export type ListGroupMembersQuery = Static<typeof ListGroupMembersQuery>;
export const UserIdOnlyQuery = Type.Object({ userId: NonEmpty(255), userIdType: Opt(UserIdType) });
export const GroupResponse = Envelope(GroupDto);
export const GroupPageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(GroupDto) }),
);
export const GroupListResponse = Envelope(Type.Array(GroupDto));

// Common resources and their grants

export const ResourceActionDto = Type.Object({ name: ActionName, description: Opt(Str(1000)) });
export const ResourceDto = Type.Object({
  code: Type.String(),
  description: Opt(Type.String()),
  name: Opt(Type.String()),
  type: ResourceType,
  actions: Opt(Type.Array(Type.Object({ name: Type.String(), description: Type.String() }))),
  apiIdentifier: Opt(Type.String()),
  namespace: Opt(Type.String()),
  linkedToTenant: Opt(Type.Boolean()),
});
export type ResourceDto = Static<typeof ResourceDto>;
const Actions = Opt(Type.Array(ResourceActionDto, { maxItems: 100 }));
export const CreateResourceRequest = Type.Object({
  type: ResourceType,
  code: ResourceCode,
  name: Opt(Str(128)),
  description: Opt(Str(1000)),
  actions: Actions,
  apiIdentifier: Opt(Str(1024)),
  namespace: Opt(AuthzCode),
});
export type CreateResourceRequest = Static<typeof CreateResourceRequest>;
export const UpdateResourceRequest = Type.Object({
  code: ResourceCode,
  type: Opt(ResourceType),
  name: Opt(Str(128)),
  description: Opt(Str(1000)),
  actions: Actions,
  apiIdentifier: Opt(Str(1024)),
  namespace: Opt(AuthzCode),
});
export type UpdateResourceRequest = Static<typeof UpdateResourceRequest>;
export const ResourceQuery = Type.Object({ code: ResourceCode, namespace: Opt(AuthzCode) });
export type ResourceQuery = Static<typeof ResourceQuery>;
export const ListResourcesQuery = Type.Object({
  namespace: Opt(AuthzCode),
  type: Opt(ResourceType),
  page: Page,
  limit: Limit,
});
export type ListResourcesQuery = Static<typeof ListResourcesQuery>;
export const AuthorizeResourcesRequest = Type.Object({
  namespace: Opt(AuthzCode),
  list: Type.Array(
    Type.Object({
      targetType: TargetType,
      targetIdentifiers: Type.Array(NonEmpty(255), { minItems: 1, maxItems: 100 }),
      resources: Type.Array(
        Type.Object({
          code: ResourceCode,
          resourceType: ResourceType,
          actions: Type.Array(ActionName, { maxItems: 100 }),
          /** Gatehouse: DENY takes these actions away (docs/authorization.md); default ALLOW. */
          effect: Opt(Effect),
        }),
        { minItems: 1, maxItems: 100 },
      ),
    }),
    { minItems: 1, maxItems: 20 },
  ),
});
export type AuthorizeResourcesRequest = Static<typeof AuthorizeResourcesRequest>;
export const AuthorizedResourceDto = Type.Object({
  resourceCode: Type.String(),
  description: Opt(Type.String()),
  resourceType: ResourceType,
  apiIdentifier: Type.String(),
  actions: Type.Array(Type.String()),
  effect: Effect,
});
export type AuthorizedResourceDto = Static<typeof AuthorizedResourceDto>;
export const TargetResourcesQuery = Type.Object({
  code: AuthzCode,
  namespace: Opt(AuthzCode),
  resourceType: Opt(ResourceType),
});
export type TargetResourcesQuery = Static<typeof TargetResourcesQuery>;
export const UserResourcesQuery = Type.Object({
  userId: NonEmpty(255),
  userIdType: Opt(UserIdType),
  namespace: Opt(AuthzCode),
  resourceType: Opt(ResourceType),
});
export type UserResourcesQuery = Static<typeof UserResourcesQuery>;
export const ResourceResponse = Envelope(ResourceDto);
export const ResourcePageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(ResourceDto) }),
);
export const AuthorizedResourcePageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(AuthorizedResourceDto) }),
);
export const AuthorizedResourceListResponse = Envelope(Type.Array(AuthorizedResourceDto));
