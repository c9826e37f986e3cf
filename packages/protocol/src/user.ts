import { type Static, Type } from "@sinclair/typebox";
import { Gender } from "./common.js";

const S = Type.String();
const OptS = Type.Optional(S);

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

/** UserDto, docs/wire-contract.md §3c: every field the official SDK models. */
export const UserDto = Type.Object({
  userId: S,
  createdAt: S,
  updatedAt: S,
  status: UserStatus,
  workStatus: Type.Union([Type.Literal("Closed"), Type.Literal("Active")]),
  externalId: OptS,
  email: OptS,
  phone: OptS,
  phoneCountryCode: OptS,
  username: OptS,
  name: OptS,
  nickname: OptS,
  photo: OptS,
  loginsCount: Type.Optional(Type.Integer()),
  lastLogin: OptS,
  lastIp: OptS,
  gender: Gender,
  emailVerified: Type.Boolean(),
  phoneVerified: Type.Boolean(),
  passwordLastSetAt: OptS,
  birthdate: OptS,
  country: OptS,
  province: OptS,
  city: OptS,
  address: OptS,
  streetAddress: OptS,
  postalCode: OptS,
  company: OptS,
  browser: OptS,
  device: OptS,
  givenName: OptS,
  familyName: OptS,
  middleName: OptS,
  profile: OptS,
  preferredUsername: OptS,
  website: OptS,
  zoneinfo: OptS,
  locale: OptS,
  formatted: OptS,
  region: OptS,
  userSourceType: Type.Union([
    Type.Literal("excel"),
    Type.Literal("register"),
    Type.Literal("adminCreated"),
    Type.Literal("sync"),
  ]),
  userSourceId: OptS,
  lastLoginApp: OptS,
  mainDepartmentId: OptS,
  lastMfaTime: OptS,
  passwordSecurityLevel: Type.Optional(Type.Integer()),
  resetPasswordOnNextLogin: Type.Optional(Type.Boolean()),
  registerSource: Type.Optional(Type.Array(S)),
  departmentIds: Type.Optional(Type.Array(S)),
  identities: Type.Optional(Type.Array(IdentityDto)),
  identityNumber: OptS,
  customData: Type.Optional(Type.Any()),
  metadataSource: Type.Optional(Type.Any()),
  postIdList: Type.Optional(Type.Array(S)),
  statusChangedAt: OptS,
  tenantId: OptS,
  signedUp: OptS,
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
