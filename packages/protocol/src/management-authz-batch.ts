import { type Static, Type } from "@sinclair/typebox";
import { Envelope, NonEmpty, Str } from "./common.js";
import {
  AuthzCode,
  CreateGroupRequest,
  CreateResourceRequest,
  GroupDto,
  NamespaceDto,
  ResourceCode,
  ResourceDto,
  RoleTarget,
} from "./management-authz.js";
import { PolicyTargetType } from "./management-data-authz.js";

/**
 * Management API, permissions: the batch and "exists" variants of authing-node-sdk 4.0.1
 * (CreateRolesBatch, AssignRoleBatchDto, DeleteRoleBatchDto, CreateGroupBatchReqDto,
 * CreateResourcesBatchDto, CreatePermissionNamespacesBatchDto, CheckPermissionNamespaceExistsDto …),
 * docs/authorization.md §Batch calls.
 */

const Opt = Type.Optional;
const Batch = <T extends import("@sinclair/typebox").TSchema>(t: T) =>
  Type.Array(t, { minItems: 1, maxItems: 100 });
/** A GET array parameter: axios sends one value as a plain string. */
const CodesParam = <T extends import("@sinclair/typebox").TSchema>(t: T) =>
  Type.Union([t, Type.Array(t, { minItems: 1, maxItems: 100 })]);

// Namespaces
export const CreateNamespacesBatchRequest = Type.Object({
  list: Batch(Type.Object({ code: AuthzCode, name: Opt(NonEmpty(128)), description: Opt(Str(1000)) })),
});
export type CreateNamespacesBatchRequest = Static<typeof CreateNamespacesBatchRequest>;
export const NamespaceCodeListBody = Type.Object({ codeList: Batch(AuthzCode) });
export const NamespaceCodesBody = Type.Object({ codes: Batch(AuthzCode) });
export const NamespaceCodeListQuery = Type.Object({ codeList: CodesParam(AuthzCode) });
export const NamespaceCodesQuery = Type.Object({ codes: CodesParam(AuthzCode) });
export const NamespaceListResponse = Envelope(Type.Array(NamespaceDto));
export const CheckNamespaceExistsRequest = Type.Object({ code: Opt(AuthzCode), name: Opt(NonEmpty(128)) });
export type CheckNamespaceExistsRequest = Static<typeof CheckNamespaceExistsRequest>;
/** `isValid`: the code (or name) is free to use; `message` says why not. */
export const CheckExistsResponse = Envelope(
  Type.Object({ isValid: Type.Boolean(), message: Opt(Type.String()) }),
);

// Roles
export const CreateRolesBatchRequest = Type.Object({
  list: Batch(
    Type.Object({
      code: AuthzCode,
      name: Opt(NonEmpty(128)),
      description: Opt(Str(1000)),
      namespace: Opt(AuthzCode),
    }),
  ),
});
export type CreateRolesBatchRequest = Static<typeof CreateRolesBatchRequest>;
const RoleCode = Type.Object({ code: AuthzCode, namespace: Opt(AuthzCode) });
export const RoleBatchRequest = Type.Object({
  targets: Type.Array(RoleTarget, { minItems: 1, maxItems: 20 }),
  roles: Type.Array(RoleCode, { minItems: 1, maxItems: 50 }),
});
export type RoleBatchRequest = Static<typeof RoleBatchRequest>;
export const DeleteRolesAcrossNamespacesRequest = Type.Object({
  roleList: Batch(Type.Object({ code: AuthzCode, namespace: AuthzCode })),
});
export type DeleteRolesAcrossNamespacesRequest = Static<typeof DeleteRolesAcrossNamespacesRequest>;

// Groups
export const CreateGroupsBatchRequest = Type.Object({ list: Batch(CreateGroupRequest) });
export type CreateGroupsBatchRequest = Static<typeof CreateGroupsBatchRequest>;
export const AllGroupsQuery = Type.Object({
  fetchMembers: Opt(Type.Boolean()),
  withCustomData: Opt(Type.Boolean()),
});

// Common resources
export const CreateResourcesBatchRequest = Type.Object({
  list: Batch(Type.Omit(CreateResourceRequest, ["namespace"])),
  namespace: Opt(AuthzCode),
});
export type CreateResourcesBatchRequest = Static<typeof CreateResourcesBatchRequest>;
export const ResourcesBatchQuery = Type.Object({
  codeList: CodesParam(ResourceCode),
  namespace: Opt(AuthzCode),
});
export const DeleteResourcesBatchRequest = Type.Object({
  namespace: Opt(AuthzCode),
  codeList: Opt(Batch(ResourceCode)),
  ids: Opt(Batch(NonEmpty(64))),
});
export type DeleteResourcesBatchRequest = Static<typeof DeleteResourcesBatchRequest>;

// Data resources and policies
export const CheckDataResourceExistsQuery = Type.Object({
  namespaceCode: AuthzCode,
  resourceName: Opt(NonEmpty(128)),
  resourceCode: Opt(AuthzCode),
});
export type CheckDataResourceExistsQuery = Static<typeof CheckDataResourceExistsQuery>;
export const CheckDataPolicyExistsQuery = Type.Object({ policyName: NonEmpty(128) });
export const ListSimpleDataPoliciesQuery = Type.Object({
  page: Opt(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  query: Opt(Str(128)),
});
export const SimpleDataPolicyPageResponse = Envelope(
  Type.Object({
    totalCount: Type.Integer(),
    list: Type.Array(
      Type.Object({ policyId: Type.String(), policyName: Type.String(), description: Opt(Type.String()) }),
    ),
  }),
);
export const ListDataPolicyTargetsQuery = Type.Object({
  policyId: NonEmpty(64),
  page: Opt(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  query: Opt(Str(128)),
  targetType: Opt(CodesParam(PolicyTargetType)),
});
export type ListDataPolicyTargetsQuery = Static<typeof ListDataPolicyTargetsQuery>;
export const DataPolicyTargetPageResponse = Envelope(
  Type.Object({
    totalCount: Type.Integer(),
    list: Type.Array(
      Type.Object({
        targetIdentifier: Type.String(),
        targetType: Type.String(),
        targetName: Type.String(),
        authorizationTime: Type.String(),
      }),
    ),
  }),
);
export const ResourceListResponse = Envelope(Type.Array(ResourceDto));

export const NamespaceRolesQuery = Type.Object({
  code: AuthzCode,
  page: Opt(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  query: Opt(Str(128)),
});
export const NamespaceRolePageResponse = Envelope(
  Type.Object({
    totalCount: Type.Integer(),
    list: Type.Array(
      Type.Object({
        name: Type.String(),
        code: Type.String(),
        description: Opt(Type.String()),
        namespace: Type.String(),
        updatedAt: Type.String(),
      }),
    ),
  }),
);
export const CreateOrUpdateGroupRequest = Type.Object({
  code: AuthzCode,
  name: NonEmpty(128),
  description: Str(1000),
  type: Str(32),
});
export type CreateOrUpdateGroupRequest = Static<typeof CreateOrUpdateGroupRequest>;
export const CreateOrUpdateGroupResponse = Envelope(Type.Object({ created: Type.Boolean(), data: GroupDto }));
