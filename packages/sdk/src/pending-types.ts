/**
 * PENDING PROTOCOL TYPES — written by hand from ../shared/spec/wire-contract.md §2–§4 for the
 * endpoints whose TypeBox schemas are not in @gatehouse/protocol yet (auth.ts, messages.ts,
 * profile.ts, management*.ts are being added in parallel). Each alias below is swapped for the
 * protocol's `Static<>` type as its module lands; nothing outside this file spells a DTO.
 */
import type { IdentityDto, UserDto } from "@gatehouse/protocol";

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

export type { IdentityDto, UserDto };
