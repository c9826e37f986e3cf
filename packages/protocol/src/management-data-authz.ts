import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Envelope, NonEmpty, Str } from "./common.js";
import { ActionName, AuthzCode, Effect } from "./management-authz.js";
import { OneOf } from "./management-users.js";

/**
 * Management API, data resources (string, array, tree) and data policies (docs/authorization.md).
 * Shapes follow authing-node-sdk 4.0.1's CreateStringDataResourceDto … CreateDataPolicyDto.
 */

const Opt = <T extends TSchema>(t: T) => Type.Optional(t);
const Page = Opt(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }));
const Limit = Opt(Type.Integer({ minimum: 1, maximum: 100, default: 10 }));

export const DataResourceType = Type.Union([
  Type.Literal("STRING"),
  Type.Literal("ARRAY"),
  Type.Literal("TREE"),
]);
export type DataResourceType = Static<typeof DataResourceType>;

/** A tree node; the service bounds the whole tree (docs/authorization.md §Errors). */
export const TreeNodeInput = Type.Recursive(
  (Self) =>
    Type.Object({
      code: AuthzCode,
      name: NonEmpty(128),
      value: Opt(Str(1024)),
      children: Opt(Type.Array(Self, { maxItems: 100 })),
      extendFieldValue: Opt(Type.Unknown()),
    }),
  { $id: "DataResourceTreeNode" },
);
export type TreeNodeInput = Static<typeof TreeNodeInput>;

const DataActions = Type.Array(ActionName, { minItems: 1, maxItems: 50 });
const dataResourceFields = {
  resourceCode: AuthzCode,
  resourceName: NonEmpty(128),
  namespaceCode: AuthzCode,
  description: Opt(Str(1000)),
  actions: DataActions,
};
export const CreateStringDataResourceRequest = Type.Object({ ...dataResourceFields, struct: Str(1024) });
export const CreateArrayDataResourceRequest = Type.Object({
  ...dataResourceFields,
  struct: Type.Array(Str(1024), { maxItems: 1000 }),
});
export const CreateTreeDataResourceRequest = Type.Object({
  ...dataResourceFields,
  struct: Type.Array(TreeNodeInput, { maxItems: 100 }),
  extendFieldList: Opt(Type.Array(Type.Unknown(), { maxItems: 20 })),
});
export const UpdateDataResourceRequest = Type.Object({
  resourceCode: AuthzCode,
  namespaceCode: AuthzCode,
  resourceName: Opt(NonEmpty(128)),
  description: Opt(Str(1000)),
  struct: Opt(
    Type.Union([
      Str(1024),
      Type.Array(Str(1024), { maxItems: 1000 }),
      Type.Array(TreeNodeInput, { maxItems: 100 }),
    ]),
  ),
  actions: Opt(DataActions),
});
export type UpdateDataResourceRequest = Static<typeof UpdateDataResourceRequest>;
export const DataResourceKey = Type.Object({ namespaceCode: AuthzCode, resourceCode: AuthzCode });
export type DataResourceKey = Static<typeof DataResourceKey>;
export const ListDataResourcesQuery = Type.Object({
  page: Page,
  limit: Limit,
  query: Opt(Str(128)),
  namespaceCodes: Opt(Type.Union([AuthzCode, Type.Array(AuthzCode, { maxItems: 50 })])),
});
export type ListDataResourcesQuery = Static<typeof ListDataResourcesQuery>;

export const DataResourceDto = Type.Object({
  resourceName: Type.String(),
  resourceCode: Type.String(),
  type: DataResourceType,
  description: Opt(Type.String()),
  struct: Type.Unknown(),
  actions: Type.Array(Type.String()),
  namespaceCode: Opt(Type.String()),
});
export type DataResourceDto = Static<typeof DataResourceDto>;
export const DataResourceListItem = Type.Object({
  resourceName: Type.String(),
  resourceCode: Type.String(),
  type: DataResourceType,
  description: Opt(Type.String()),
  namespaceCode: Type.String(),
  namespaceName: Type.String(),
  authorizationNum: Type.Integer(),
  updatedAt: Type.String(),
});
export const DataResourceResponse = Envelope(DataResourceDto);
export const DataResourcePageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(DataResourceListItem) }),
);

// Data policies

/** `<namespace>/<resource>[/<tree path>…]/<action>` */
export const Permission = Type.String({
  minLength: 3,
  maxLength: 1024,
  pattern: "^[^\\u0000-\\u001f\\u007f]+$",
});
export const DataStatement = Type.Object({
  effect: Effect,
  permissions: Type.Array(Permission, { minItems: 1, maxItems: 100 }),
});
export type DataStatement = Static<typeof DataStatement>;
const Statements = Type.Array(DataStatement, { minItems: 1, maxItems: 20 });
export const CreateDataPolicyRequest = Type.Object({
  policyName: NonEmpty(128),
  description: Opt(Str(1000)),
  statementList: Statements,
});
export type CreateDataPolicyRequest = Static<typeof CreateDataPolicyRequest>;
export const UpdateDataPolicyRequest = Type.Object({
  policyId: NonEmpty(64),
  policyName: Opt(NonEmpty(128)),
  description: Opt(Str(1000)),
  statementList: Opt(Statements),
});
export type UpdateDataPolicyRequest = Static<typeof UpdateDataPolicyRequest>;
export const PolicyIdBody = Type.Object({ policyId: NonEmpty(64) });
export const PolicyIdQuery = Type.Object({ policyId: NonEmpty(64) });
export const ListDataPoliciesQuery = Type.Object({ page: Page, limit: Limit, query: Opt(Str(128)) });
export type ListDataPoliciesQuery = Static<typeof ListDataPoliciesQuery>;
export const PolicyTargetType = OneOf(["USER", "ORG", "GROUP", "ROLE"] as const);
export const AuthorizeDataPoliciesRequest = Type.Object({
  policyIds: Type.Array(NonEmpty(64), { minItems: 1, maxItems: 50 }),
  targetList: Type.Array(Type.Object({ id: NonEmpty(255), type: PolicyTargetType, name: Opt(Str(255)) }), {
    minItems: 1,
    maxItems: 100,
  }),
});
export type AuthorizeDataPoliciesRequest = Static<typeof AuthorizeDataPoliciesRequest>;
export const RevokeDataPolicyRequest = Type.Object({
  policyId: NonEmpty(64),
  targetType: PolicyTargetType,
  targetIdentifier: NonEmpty(255),
});
export type RevokeDataPolicyRequest = Static<typeof RevokeDataPolicyRequest>;

export const DataPolicyDto = Type.Object({
  policyId: Type.String(),
  policyName: Type.String(),
  description: Opt(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type DataPolicyDto = Static<typeof DataPolicyDto>;
export const DataPolicyListItem = Type.Object({
  policyId: Type.String(),
  policyName: Type.String(),
  description: Opt(Type.String()),
  resourceList: Type.Array(Type.Object({ resourceId: Type.String(), resourceName: Type.String() })),
  targetList: Type.Array(Type.Object({ id: Type.String(), type: Type.String(), name: Type.String() })),
  updatedAt: Type.String(),
});
export type DataPolicyListItem = Static<typeof DataPolicyListItem>;
export const DataPolicyResponse = Envelope(DataPolicyDto);
export const DataPolicyPageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(DataPolicyListItem) }),
);
/** `CommonResponseDto`: no data. */
export const NoDataResponse = Type.Object({
  statusCode: Type.Integer(),
  message: Type.String(),
  apiCode: Opt(Type.Integer()),
  requestId: Opt(Type.String()),
});
