import { type Static, Type } from "@sinclair/typebox";
import { Gender } from "./common.js";

const S = Type.String();
/**
 * A string GenAuth answers as `null` when it is unknown. services/users/dto.ts always sets it;
 * the schema leaves it optional only because forty required nullable fields in one object are
 * more than the route types can infer (TypeScript gives up: "excessively deep").
 */
const NullS = Type.Optional(Type.Unsafe<string | null>({ type: ["string", "null"] }));

/** IdentityDto, docs/wire-contract.md §3c. */
export const IdentityDto = Type.Object({
  identityId: S,
  extIdpId: S,
  provider: S,
  type: S,
  userIdInIdp: S,
  userInfoInIdp: Type.Optional(Type.Any()),
  originConnIds: Type.Array(S),
});
export type IdentityDto = Static<typeof IdentityDto>;

export const UserStatus = Type.Union([
  Type.Literal("Suspended"),
  Type.Literal("Resigned"),
  Type.Literal("Activated"),
  Type.Literal("Archived"),
  Type.Literal("Deactivated"),
]);
export type UserStatus = Static<typeof UserStatus>;

/**
 * UserDto, docs/wire-contract.md §3c: every field the official SDK models. Like GenAuth, a field
 * with no value is present as `null` (never left out) and `photo` always holds an image URL; only
 * the parts a caller asks for (`customData`, `identities`, `departmentIds`, `postIdList`) may be absent.
 */
export const UserDto = Type.Object({
  userId: S,
  createdAt: S,
  updatedAt: S,
  status: UserStatus,
  workStatus: Type.Union([Type.Literal("Closed"), Type.Literal("Active")]),
  externalId: NullS,
  email: NullS,
  phone: NullS,
  phoneCountryCode: NullS,
  username: NullS,
  name: NullS,
  nickname: NullS,
  photo: S,
  loginsCount: Type.Integer(),
  lastLogin: NullS,
  lastIp: NullS,
  gender: Gender,
  emailVerified: Type.Boolean(),
  phoneVerified: Type.Boolean(),
  passwordLastSetAt: NullS,
  birthdate: NullS,
  country: NullS,
  province: NullS,
  city: NullS,
  address: NullS,
  streetAddress: NullS,
  postalCode: NullS,
  company: NullS,
  browser: NullS,
  device: NullS,
  givenName: NullS,
  familyName: NullS,
  middleName: NullS,
  profile: NullS,
  preferredUsername: NullS,
  website: NullS,
  zoneinfo: NullS,
  locale: NullS,
  formatted: NullS,
  region: NullS,
  userSourceType: Type.Union([
    Type.Literal("excel"),
    Type.Literal("register"),
    Type.Literal("adminCreated"),
    Type.Literal("sync"),
  ]),
  userSourceId: NullS,
  lastLoginApp: NullS,
  mainDepartmentId: NullS,
  lastMfaTime: NullS,
  passwordSecurityLevel: Type.Unsafe<number | null>({ type: ["integer", "null"] }),
  resetPasswordOnNextLogin: Type.Boolean(),
  registerSource: Type.Array(S),
  departmentIds: Type.Optional(Type.Array(S)),
  identities: Type.Optional(Type.Array(IdentityDto)),
  identityNumber: NullS,
  customData: Type.Optional(Type.Any()),
  metadataSource: Type.Optional(Type.Any()),
  postIdList: Type.Optional(Type.Array(S)),
  statusChangedAt: NullS,
  tenantId: NullS,
  signedUp: S,
});
export type UserDto = Static<typeof UserDto>;

/** Profile string fields of UserDto that are stored as plain nullable text columns. */
export const userProfileFields = [
  "externalId",
  "name",
  "nickname",
  "photo",
  "birthdate",
  "country",
  "province",
  "city",
  "address",
  "streetAddress",
  "postalCode",
  "company",
  "browser",
  "device",
  "givenName",
  "familyName",
  "middleName",
  "profile",
  "preferredUsername",
  "website",
  "zoneinfo",
  "locale",
  "formatted",
  "region",
  "identityNumber",
] as const;
export type UserProfileField = (typeof userProfileFields)[number];
