/**
 * PENDING PROTOCOL TYPES — written by hand from ../shared/spec/wire-contract.md §2–§4 for the
 * endpoints whose TypeBox schemas are not in @gatehouse/protocol yet (auth.ts, messages.ts,
 * profile.ts, management*.ts are being added in parallel). Each alias below is swapped for the
 * protocol's `Static<>` type as its module lands; nothing outside this file spells a DTO.
 */
import type { IdentityDto, PoolSettings, UserDto } from "@gatehouse/protocol";

export type PasswordEncryptType = "sm2" | "rsa" | "none";
export type Gender = "M" | "F" | "U";

// ---------------------------------------------------------------- §3c profile

export interface UpdateUserProfileDto {
  name?: string;
  nickname?: string;
  photo?: string;
  externalId?: string;
  birthdate?: string;
  country?: string;
  province?: string;
  city?: string;
  address?: string;
  streetAddress?: string;
  postalCode?: string;
  gender?: Gender;
  username?: string;
  company?: string;
  customData?: unknown;
  identityNumber?: string;
}
export interface BindEmailDto {
  email: string;
  passCode: string;
}
export interface BindPhoneDto {
  phoneNumber: string;
  passCode: string;
  phoneCountryCode?: string;
}
export interface UnbindDto {
  passCode: string;
}
export interface GetSecurityInfoDto {
  passwordSecurityLevel: number;
  mfaEnrolled: boolean;
  passwordSet: boolean;
  emailBinded: boolean;
  phoneBinded: boolean;
  securityScore: number;
}
export interface UpdatePasswordDto {
  newPassword: string;
  oldPassword?: string;
  passwordEncryptType?: PasswordEncryptType;
  passwordResetToken?: string;
}
export interface VerifyUpdateEmailRequestDto {
  verifyMethod: "EMAIL_PASSCODE";
  emailPassCodePayload: {
    newEmail: string;
    newEmailPassCode: string;
    oldEmail?: string;
    oldEmailPassCode?: string;
  };
}
export interface VerifyUpdatePhoneRequestDto {
  verifyMethod: "PHONE_PASSCODE";
  phonePassCodePayload: {
    newPhoneNumber: string;
    newPhonePassCode: string;
    newPhoneCountryCode?: string;
    oldPhoneNumber?: string;
    oldPhonePassCode?: string;
    oldPhoneCountryCode?: string;
  };
}
export interface VerifyResetPasswordRequestDto {
  verifyMethod: "EMAIL_PASSCODE" | "PHONE_PASSCODE";
  phonePassCodePayload?: { phoneNumber: string; passCode: string; phoneCountryCode?: string };
  emailPassCodePayload?: { email?: string; passCode: string };
}
export interface ResetPasswordDto {
  password: string;
  passwordResetToken: string;
  passwordEncryptType?: PasswordEncryptType;
}
export interface VerifyDeleteAccountRequestDto {
  verifyMethod: "PHONE_PASSCODE" | "EMAIL_PASSCODE" | "PASSWORD";
  phonePassCodePayload?: { phoneNumber: string; passCode: string; phoneCountryCode?: string };
  emailPassCodePayload?: { email?: string; passCode: string };
  passwordPayload?: { password: string; passwordEncryptType?: PasswordEncryptType };
}
export interface ValidatePasswordDto {
  email?: string;
  phone?: string;
  phoneCountryCode?: string;
  username?: string;
  password?: string;
  passwordEncryptType?: PasswordEncryptType;
}
export interface SuccessDto {
  success: boolean;
}

// ---------------------------------------------------------------- lists

export interface Paginated<T> {
  totalCount: number;
  list: T[];
}

// ---------------------------------------------------------------- §2 oidc (claims: not schemas)

export interface UserInfoClaims {
  sub: string;
  [claim: string]: unknown;
}
export interface IDTokenClaims {
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  iss: string;
  nonce?: string;
  at_hash?: string;
  [claim: string]: unknown;
}
export interface AccessTokenClaims {
  jti?: string;
  sub: string;
  iat: number;
  exp: number;
  scope?: string;
  iss: string;
  aud: string | string[];
  [claim: string]: unknown;
}

// ---------------------------------------------------------------- §4 management

export type UserIdType =
  | "user_id"
  | "external_id"
  | "phone"
  | "email"
  | "username"
  | "identity"
  | "sync_relation";
export type UserStatus = UserDto["status"];

export interface CreateUserOptionsDto {
  keepPassword?: boolean;
  autoGeneratePassword?: boolean;
  resetPasswordOnFirstLogin?: boolean;
  sendNotification?: { sendEmailNotification?: boolean; sendPhoneNotification?: boolean; appId?: string };
  passwordEncryptType?: PasswordEncryptType;
}
export interface CreateUserInfoDto {
  status?: UserStatus;
  email?: string;
  phone?: string;
  phoneCountryCode?: string;
  username?: string;
  externalId?: string;
  name?: string;
  nickname?: string;
  photo?: string;
  gender?: Gender;
  emailVerified?: boolean;
  phoneVerified?: boolean;
  birthdate?: string;
  country?: string;
  province?: string;
  city?: string;
  address?: string;
  streetAddress?: string;
  postalCode?: string;
  company?: string;
  givenName?: string;
  familyName?: string;
  middleName?: string;
  profile?: string;
  preferredUsername?: string;
  website?: string;
  zoneinfo?: string;
  locale?: string;
  formatted?: string;
  region?: string;
  password?: string;
  salt?: string;
  tenantIds?: string[];
  departmentIds?: string[];
  customData?: unknown;
  identityNumber?: string;
}
export interface CreateUserReqDto extends CreateUserInfoDto {
  options?: CreateUserOptionsDto;
}
export interface CreateUserBatchReqDto {
  list: CreateUserInfoDto[];
  options?: CreateUserOptionsDto;
}
export interface UpdateUserReqDto extends Omit<CreateUserInfoDto, "salt" | "tenantIds" | "departmentIds"> {
  userId: string;
  metadata?: unknown;
  options?: {
    userIdType?: UserIdType;
    resetPasswordOnFirstLogin?: boolean;
    resetPasswordOnNextLogin?: boolean;
    passwordEncryptType?: PasswordEncryptType;
    autoGeneratePassword?: boolean;
    sendPasswordResetedNotification?: boolean;
  };
}
export type AdvancedFilterOperator =
  | "EQUAL"
  | "NOT_EQUAL"
  | "CONTAINS"
  | "NOT_CONTAINS"
  | "IS_NULL"
  | "NOT_NULL"
  | "IN"
  | "GREATER"
  | "LESSER"
  | "BETWEEN";
export interface ListUsersRequestDto {
  keywords?: string;
  advancedFilter?: { field: string; operator: AdvancedFilterOperator; value?: unknown }[];
  searchQuery?: unknown;
  options?: {
    pagination?: { page?: number; limit?: number };
    sort?: { field: string; order: "desc" | "asc" }[];
    fuzzySearchOn?: string[];
    withCustomData?: boolean;
    withPost?: boolean;
    withIdentities?: boolean;
    withDepartmentIds?: boolean;
    flatCustomData?: boolean;
  };
}
export interface IsUserExistsReqDto {
  username?: string;
  email?: string;
  phone?: string;
  externalId?: string;
}
export interface UserLoginHistoryDto {
  appId: string;
  appName: string;
  appLogo: string;
  appLoginUrl: string;
  clientIp: string;
  userAgent?: string;
  time: string;
}
export interface UserLoggedInAppDto {
  appId: string;
  appName: string;
  appLogo: string;
  appLoginUrl: string;
}

export type LoginMethod =
  | "PHONE_CODE"
  | "EMAIL_CODE"
  | "PHONE_PASSWORD"
  | "EMAIL_PASSWORD"
  | "USERNAME_PASSWORD"
  | "SELF_BUILT_APP_QRCODE";

export interface ApplicationDto {
  appId: string;
  appIdentifier: string;
  appName: string;
  appLogo: string;
  appDescription?: string;
  appType: string;
  userPoolId: string;
  isIntegrateApp: boolean;
  defaultProtocol: string;
  redirectUris: string[];
  logoutRedirectUris: string[];
  initLoginUri: string;
  ssoEnabled: boolean;
  loginConfig?: {
    mergeLoginAndRegisterPage?: boolean;
    enabledBasicLoginMethods?: LoginMethod[];
    [k: string]: unknown;
  };
  registerConfig?: { enabledBasicRegisterMethods?: string[]; defaultRegisterMethod?: string };
  oidcConfig?: Record<string, unknown>;
  [field: string]: unknown;
}
export interface CreateApplicationDto {
  appName: string;
  appIdentifier?: string;
  appType?: "web" | "spa" | "native" | "api" | "mfa" | "mini-program" | "gateway-app" | "gateway-agent";
  defaultProtocol?: "oidc" | "oauth" | "saml" | "cas" | "asa";
  redirectUris?: string[];
  logoutRedirectUris?: string[];
  initLoginUri?: string;
  ssoEnabled?: boolean;
  appLogo?: string;
  appDescription?: string;
  oidcConfig?: Record<string, unknown>;
  loginConfig?: Record<string, unknown>;
  registerConfig?: Record<string, unknown>;
  [field: string]: unknown;
}
export interface UpdateApplicationDto extends Partial<CreateApplicationDto> {
  appId: string;
}

/** The pool settings as the management API reads and writes them (GenAuth names plus Gatehouse's). */
export type SecuritySettingsDto = PoolSettings & Record<string, unknown>;
export type UpdateSecuritySettingsDto = Partial<PoolSettings> & Record<string, unknown>;

export type MfaFactor = "OTP" | "SMS" | "EMAIL" | "FACE";
export interface MfaSettingsDto {
  enabledFactors: MfaFactor[];
}

export type CustomFieldTarget = "USER" | "ROLE" | "GROUP" | "DEPARTMENT";
export interface CustomFieldDto {
  targetType: CustomFieldTarget;
  key: string;
  dataType?: "STRING" | "NUMBER" | "DATETIME" | "BOOLEAN" | "ENUM";
  label?: string;
  description?: string;
  encrypted?: boolean;
  options?: { value: string; label: string }[];
  [field: string]: unknown;
}
export interface SetCustomFieldsReqDto {
  list: CustomFieldDto[];
  tenantId?: string;
}

export type { IdentityDto, UserDto };
