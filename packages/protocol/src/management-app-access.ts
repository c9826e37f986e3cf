import { type Static, Type } from "@sinclair/typebox";
import { Envelope, NonEmpty } from "./common.js";
import { AuthzCode, Effect } from "./management-authz.js";
import { OneOf, UserIdType } from "./management-users.js";

/**
 * Management API, application access control (docs/authorization.md §Application access): an
 * application's default strategy and who may or may not use it. Shapes of authing-node-sdk 4.0.1's
 * UpdateApplicationPermissionStrategyDataDto, AuthorizeApplicationAccessDto, RevokeApplicationAccessDto.
 */

export const PermissionStrategy = Type.Union([Type.Literal("ALLOW_ALL"), Type.Literal("DENY_ALL")]);
export type PermissionStrategy = Static<typeof PermissionStrategy>;

export const PermissionStrategyResponse = Envelope(Type.Object({ permissionStrategy: PermissionStrategy }));
export const UpdatePermissionStrategyRequest = Type.Object({
  appId: NonEmpty(64),
  permissionStrategy: PermissionStrategy,
});
export type UpdatePermissionStrategyRequest = Static<typeof UpdatePermissionStrategyRequest>;

/** ORG is GenAuth's; Gatehouse models no organizations (TARGET_TYPE_UNSUPPORTED). */
export const AppAccessTargetType = OneOf(["USER", "ROLE", "GROUP", "ORG"] as const);
const Identifiers = Type.Array(NonEmpty(255), { minItems: 1, maxItems: 100 });

export const AppAccessItem = Type.Object({
  targetType: AppAccessTargetType,
  /** For ROLE targets: the roles' namespace (default `default`). */
  namespaceCode: Type.Optional(AuthzCode),
  inheritByChildren: Type.Optional(Type.Boolean()),
  targetIdentifier: Identifiers,
  effect: Effect,
});
export const AuthorizeAppAccessRequest = Type.Object({
  appId: NonEmpty(64),
  list: Type.Array(AppAccessItem, { minItems: 1, maxItems: 20 }),
});
export type AuthorizeAppAccessRequest = Static<typeof AuthorizeAppAccessRequest>;

export const RevokeAppAccessRequest = Type.Object({
  appId: NonEmpty(64),
  list: Type.Array(
    Type.Object({
      targetType: AppAccessTargetType,
      namespaceCode: Type.Optional(AuthzCode),
      targetIdentifier: Identifiers,
    }),
    { minItems: 1, maxItems: 20 },
  ),
});
export type RevokeAppAccessRequest = Static<typeof RevokeAppAccessRequest>;

/** GenAuth's AppDto. */
export const UserAppDto = Type.Object({
  appId: Type.String(),
  appName: Type.String(),
  appLogo: Type.String(),
  appLoginUrl: Type.String(),
  appDefaultLoginStrategy: PermissionStrategy,
});
export type UserAppDto = Static<typeof UserAppDto>;
export const UserAppListResponse = Envelope(Type.Array(UserAppDto));
export const UserAppsQuery = Type.Object({ userId: NonEmpty(255), userIdType: Type.Optional(UserIdType) });
