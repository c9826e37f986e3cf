import {
  type Static,
  type TLiteral,
  type TNull,
  type TOptional,
  type TSchema,
  type TString,
  type TUnion,
  Type,
} from "@sinclair/typebox";
import {
  BoolFlag,
  Envelope,
  EpochInt,
  EpochSeconds,
  Gender,
  NonEmpty,
  PasswordEncryptType,
  Str,
} from "./common.js";
import { IdentityDto, UserDto, UserStatus } from "./user.js";

/**
 * Management API, users (docs/wire-contract.md §4). Request shapes follow authing-node-sdk 4.0.1's
 * CreateUserReqDto, UpdateUserReqDto, ListUsersRequestDto … one schema per body or query.
 */

const Opt = <T extends TSchema>(t: T) => Type.Optional(t);
const Profile = Opt(Str(255));

/** A union of string literals. */
export function OneOf<const T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(values.map((v) => Type.Literal(v))) as TUnion<TLiteral<T[number]>[]>;
}

export const UserIdType = OneOf([
  "user_id",
  "external_id",
  "phone",
  "email",
  "username",
  "identity",
  "sync_relation",
  "custom_field",
] as const);
export type UserIdType = Static<typeof UserIdType>;

/** customData: keys must be defined USER custom fields (checked by the server). */
export const CustomData = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 100 });

export const CreateIdentity = Type.Object({
  extIdpId: NonEmpty(64),
  provider: NonEmpty(64),
  type: NonEmpty(64),
  userIdInIdp: NonEmpty(255),
  userInfoInIdp: Opt(Type.Unknown()),
  accessToken: Opt(Str(4096)),
  refreshToken: Opt(Str(4096)),
  originConnIds: Opt(Type.Array(Str(64), { maxItems: 20 })),
});

const profileProps = {
  name: Profile,
  nickname: Profile,
  photo: Opt(Str(2048)),
  externalId: Opt(NonEmpty(255)),
  birthdate: Profile,
  country: Profile,
  province: Profile,
  city: Profile,
  address: Profile,
  streetAddress: Profile,
  postalCode: Profile,
  company: Profile,
  browser: Profile,
  device: Profile,
  givenName: Profile,
  familyName: Profile,
  middleName: Profile,
  profile: Opt(Str(2048)),
  preferredUsername: Profile,
  website: Opt(Str(2048)),
  zoneinfo: Profile,
  locale: Profile,
  formatted: Profile,
  region: Profile,
  identityNumber: Profile,
};

/** CreateUserInfoDto: one user of create-user / create-users-batch. */
export const CreateUserInfo = Type.Object({
  status: Opt(UserStatus),
  email: Opt(Str(255)),
  phone: Opt(Str(32)),
  phoneCountryCode: Opt(Str(8)),
  username: Opt(Str(128)),
  gender: Opt(Gender),
  emailVerified: Opt(Type.Boolean()),
  phoneVerified: Opt(Type.Boolean()),
  ...profileProps,
  /** Plain text, RSA-encrypted (options.passwordEncryptType) or, with options.keepPassword, a bcrypt/argon2 hash. */
  password: Opt(Str(1024)),
  salt: Opt(Str(255)),
  tenantIds: Opt(Type.Array(Str(64), { maxItems: 50 })),
  otp: Opt(Type.Object({ secret: Str(255), recoveryCode: Opt(Str(255)) })),
  departmentIds: Opt(Type.Array(Str(64), { maxItems: 50 })),
  customData: Opt(CustomData),
  metadataSource: Opt(Type.Unknown()),
  identities: Opt(Type.Array(CreateIdentity, { maxItems: 20 })),
});
export type CreateUserInfo = Static<typeof CreateUserInfo>;

export const CreateUserOptions = Type.Object({
  keepPassword: Opt(Type.Boolean()),
  autoGeneratePassword: Opt(Type.Boolean()),
  resetPasswordOnFirstLogin: Opt(Type.Boolean()),
  departmentIdType: Opt(Str(32)),
  sendNotification: Opt(
    Type.Object({
      sendEmailNotification: Opt(Type.Boolean()),
      sendPhoneNotification: Opt(Type.Boolean()),
      appId: Opt(Str(64)),
    }),
  ),
  passwordEncryptType: Opt(PasswordEncryptType),
});
export type CreateUserOptions = Static<typeof CreateUserOptions>;

export const CreateUserRequest = Type.Composite([
  CreateUserInfo,
  Type.Object({ options: Opt(CreateUserOptions) }),
]);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

export const CreateUsersBatchRequest = Type.Object({
  list: Type.Array(CreateUserInfo, { minItems: 1, maxItems: 50 }),
  options: Opt(CreateUserOptions),
});
export type CreateUsersBatchRequest = Static<typeof CreateUsersBatchRequest>;

export const UpdateUserOptions = Type.Object({
  userIdType: Opt(UserIdType),
  resetPasswordOnFirstLogin: Opt(Type.Boolean()),
  resetPasswordOnNextLogin: Opt(Type.Boolean()),
  passwordEncryptType: Opt(PasswordEncryptType),
  autoGeneratePassword: Opt(Type.Boolean()),
  sendPasswordResetedNotification: Opt(Type.Unknown()),
});

/** UpdateUserReqDto. `null` clears an optional field. */
type TClearable = TOptional<TUnion<[TString, TNull]>>;
const Clearable = (max: number): TClearable => Opt(Type.Union([Str(max), Type.Null()]));
const clearableProfileProps = Object.fromEntries(
  Object.entries(profileProps).map(([k, v]) => [k, Clearable((v as unknown as TString).maxLength ?? 255)]),
) as { [K in keyof typeof profileProps]: TClearable };
export const UpdateUserRequest = Type.Object({
  userId: NonEmpty(255),
  email: Clearable(255),
  phone: Clearable(32),
  phoneCountryCode: Opt(Str(8)),
  username: Clearable(128),
  password: Opt(NonEmpty(1024)),
  status: Opt(UserStatus),
  gender: Opt(Gender),
  emailVerified: Opt(Type.Boolean()),
  phoneVerified: Opt(Type.Boolean()),
  ...clearableProfileProps,
  customData: Opt(CustomData),
  metadata: Opt(Type.Unknown()),
  options: Opt(UpdateUserOptions),
});
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

const withFlags = {
  withCustomData: BoolFlag,
  flatCustomData: BoolFlag,
  withPost: BoolFlag,
  withIdentities: BoolFlag,
  withDepartmentIds: BoolFlag,
};

export const GetUserQuery = Type.Object({
  userId: NonEmpty(255),
  userIdType: Opt(UserIdType),
  ...withFlags,
});
export type GetUserQuery = Static<typeof GetUserQuery>;

/** axios sends `userIds[]=a&userIds[]=b`; the management plugin folds `userIds[]` into `userIds`. */
export const GetUserBatchQuery = Type.Object({
  userIds: Type.Array(NonEmpty(255), { minItems: 1, maxItems: 80 }),
  userIdType: Opt(UserIdType),
  ...withFlags,
});
export type GetUserBatchQuery = Static<typeof GetUserBatchQuery>;

export const ListUsersOperator = OneOf([
  "EQUAL",
  "NOT_EQUAL",
  "CONTAINS",
  "NOT_CONTAINS",
  "IS_NULL",
  "NOT_NULL",
  "IN",
  "GREATER",
  "LESSER",
  "BETWEEN",
] as const);
export type ListUsersOperator = Static<typeof ListUsersOperator>;

export const ListUsersRequest = Type.Object({
  keywords: Opt(Str(255)),
  advancedFilter: Opt(
    Type.Array(
      Type.Object({ field: NonEmpty(64), operator: ListUsersOperator, value: Opt(Type.Unknown()) }),
      { maxItems: 20 },
    ),
  ),
  searchQuery: Opt(Type.Unknown()),
  options: Opt(
    Type.Object({
      pagination: Opt(
        Type.Object({
          page: Opt(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          limit: Opt(Type.Integer({ minimum: 1, maximum: 50 })),
        }),
      ),
      sort: Opt(
        Type.Array(
          Type.Object({
            field: NonEmpty(64),
            order: Type.Union([Type.Literal("desc"), Type.Literal("asc")]),
          }),
          { maxItems: 5 },
        ),
      ),
      fuzzySearchOn: Opt(Type.Array(NonEmpty(64), { maxItems: 20 })),
      withCustomData: Opt(Type.Boolean()),
      withPost: Opt(Type.Boolean()),
      withIdentities: Opt(Type.Boolean()),
      withDepartmentIds: Opt(Type.Boolean()),
      flatCustomData: Opt(Type.Boolean()),
    }),
  ),
});
export type ListUsersRequest = Static<typeof ListUsersRequest>;

export const ListUsersLegacyQuery = Type.Object({
  page: Opt(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
  status: Opt(UserStatus),
  /** Unix seconds. */
  updatedAtStart: Opt(EpochSeconds()),
  updatedAtEnd: Opt(EpochSeconds()),
  withCustomData: BoolFlag,
  withPost: BoolFlag,
  withIdentities: BoolFlag,
  withDepartmentIds: BoolFlag,
  withUserPasswordExpireTime: BoolFlag,
});
export type ListUsersLegacyQuery = Static<typeof ListUsersLegacyQuery>;

export const DeleteUsersBatchRequest = Type.Object({
  userIds: Type.Array(NonEmpty(255), { minItems: 1, maxItems: 50 }),
  options: Opt(Type.Object({ userIdType: Opt(UserIdType) })),
});
export type DeleteUsersBatchRequest = Static<typeof DeleteUsersBatchRequest>;

export const IsUserExistsRequest = Type.Object({
  username: Opt(Str(128)),
  email: Opt(Str(255)),
  phone: Opt(Str(32)),
  externalId: Opt(Str(255)),
});
export type IsUserExistsRequest = Static<typeof IsUserExistsRequest>;

export const UserIdQuery = Type.Object({ userId: NonEmpty(255), userIdType: Opt(UserIdType) });
export type UserIdQuery = Static<typeof UserIdQuery>;

export const UserLoginHistoryQuery = Type.Object({
  userId: NonEmpty(255),
  userIdType: Opt(UserIdType),
  appId: Opt(Str(64)),
  clientIp: Opt(Str(64)),
  /** Epoch ms. */
  start: Opt(EpochInt()),
  end: Opt(EpochInt()),
  page: Opt(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
});
export type UserLoginHistoryQuery = Static<typeof UserLoginHistoryQuery>;

export const KickUsersRequest = Type.Object({
  appIds: Type.Array(NonEmpty(64), { minItems: 1, maxItems: 100 }),
  userId: NonEmpty(255),
  options: Opt(Type.Object({ userIdType: Opt(UserIdType) })),
});
export type KickUsersRequest = Static<typeof KickUsersRequest>;

export const UnlockUserRequest = Type.Object({
  userId: NonEmpty(255),
  options: Opt(Type.Object({ userIdType: Opt(UserIdType) })),
});
export type UnlockUserRequest = Static<typeof UnlockUserRequest>;

/** UserDto plus the custom fields `flatCustomData` lifts to the top level. */
export const ManagedUserDto = Type.Object(UserDto.properties, { additionalProperties: true });

export const UserLoginHistoryItem = Type.Object({
  appId: Type.String(),
  appName: Type.String(),
  appLogo: Type.String(),
  appLoginUrl: Type.String(),
  clientIp: Type.String(),
  userAgent: Type.Optional(Type.String()),
  time: Type.String(),
});
export const UserLoggedInApp = Type.Object({
  appId: Type.String(),
  appName: Type.String(),
  appLogo: Type.String(),
  appLoginUrl: Type.String(),
});

export const UserResponse = Envelope(ManagedUserDto);
export const UserListResponse = Envelope(Type.Array(ManagedUserDto));
export const UserPageResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(ManagedUserDto) }),
);
export const IsUserExistsResponse = Envelope(Type.Object({ exists: Type.Boolean() }));
export const IdentityListResponse = Envelope(Type.Array(IdentityDto));
export const UserLoginHistoryResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(UserLoginHistoryItem) }),
);
export const UserLoggedInAppsResponse = Envelope(Type.Array(UserLoggedInApp));
