/**
 * The SDK's request and response types under the official SDK's names. Each is the `Static<>`
 * type of a @gatehouse/protocol schema — the one the server validates with. No DTO is spelled
 * out here.
 */
import type {
  ApplicationDto,
  BindEmailDto,
  BindPhoneDto,
  CreateApplicationRequest,
  CreateUserInfo,
  CreateUserOptions,
  CreateUserRequest,
  CreateUsersBatchRequest,
  CustomFieldDto,
  DeleteAccountDto,
  EmailChannel,
  GetSecurityInfoDto,
  IdentityDto,
  IntrospectionResponse,
  IsUserExistsRequest,
  ListUsersRequest,
  LoggedInAppDto,
  LoginHistoryDto,
  LoginTokenData,
  MfaSettings,
  MfaSettingsUpdate,
  PasswordEncryptType as PasswordEncryptTypeSchema,
  PasswordResetVerifyData,
  PoolSettings,
  PreCheckCodeBody,
  PreCheckCodeData,
  ResetPasswordDto,
  SendEmailBody,
  SendSmsBody,
  SetCustomFieldsRequest,
  SignInOptions,
  SignInRequest,
  SignUpProfile,
  SignUpRequest,
  SmsChannel,
  SuccessData,
  TokenResponse,
  UnbindEmailDto,
  UnbindPhoneDto,
  UpdateApplicationRequest,
  UpdateEmailDto,
  UpdatePasswordDto,
  UpdatePhoneDto,
  UpdateUserProfileDto,
  UpdateUserRequest,
  UserDto,
  UserIdType,
  UserLoggedInApp,
  UserLoginHistoryItem,
  UserStatus,
  ValidatePasswordDto,
  VerifyDeleteAccountRequestDto,
  VerifyResetPasswordRequestDto,
  VerifyUpdateEmailRequestDto,
  VerifyUpdatePhoneRequestDto,
} from "@gatehouse/protocol";
import type { Static } from "@sinclair/typebox";

// §3a sign-up / sign-in (protocol/auth.ts)
export type SignUpDto = SignUpRequest;
export type SignUpProfileDto = SignUpProfile;
export type SignUpOptionsDto = NonNullable<SignUpRequest["options"]>;
export type SigninByCredentialsDto = SignInRequest;
export type SignInOptionsDto = SignInOptions;
export type LoginTokenResponseDataDto = LoginTokenData;

// §2 oidc (protocol/oidc.ts)
export type OIDCTokenResponse = TokenResponse;
export type TokenIntrospectResponse = IntrospectionResponse;

// §3f user resources (protocol/login-history.ts)
// §3b messages (protocol/messages.ts)
export type { EmailChannel, LoggedInAppDto, LoginHistoryDto, SmsChannel };
export type SendSmsDto = SendSmsBody;
export type SendEmailDto = SendEmailBody;
export type PreCheckCodeDto = PreCheckCodeBody;
export type PreCheckCodeDataDto = PreCheckCodeData;

// §4 management (protocol/management-*.ts)
export type { ApplicationDto, CustomFieldDto, UserIdType, UserStatus };
export type CreateUserInfoDto = CreateUserInfo;
export type CreateUserOptionsDto = CreateUserOptions;
export type CreateUserReqDto = CreateUserRequest;
export type CreateUserBatchReqDto = CreateUsersBatchRequest;
export type UpdateUserReqDto = UpdateUserRequest;
export type ListUsersRequestDto = ListUsersRequest;
export type IsUserExistsReqDto = IsUserExistsRequest;
export type UserLoginHistoryDto = Static<typeof UserLoginHistoryItem>;
export type UserLoggedInAppDto = Static<typeof UserLoggedInApp>;
export type CreateApplicationDto = CreateApplicationRequest;
export type UpdateApplicationDto = UpdateApplicationRequest;
export type SecuritySettingsDto = PoolSettings;
/** Any subset of the settings; nested objects may be partial too (the server deep-merges). */
export type UpdateSecuritySettingsDto = {
  [K in keyof PoolSettings]?: Partial<PoolSettings[K]> | PoolSettings[K];
};
export type MfaSettingsDto = MfaSettings;
/** update-global-mfa-settings: `enabledFactors`, and any of the policy fields to change. */
export type MfaSettingsUpdateDto = MfaSettingsUpdate;
export type MfaFactor = MfaSettings["enabledFactors"][number];
export type CustomFieldTarget = SetCustomFieldsRequest["list"][number]["targetType"];
export type SetCustomFieldsReqDto = SetCustomFieldsRequest;

// §3c user information (protocol/profile.ts)
export type {
  BindEmailDto,
  BindPhoneDto,
  DeleteAccountDto,
  GetSecurityInfoDto,
  IdentityDto,
  PasswordResetVerifyData,
  ResetPasswordDto,
  UnbindEmailDto,
  UnbindPhoneDto,
  UpdateEmailDto,
  UpdatePasswordDto,
  UpdatePhoneDto,
  UpdateUserProfileDto,
  UserDto,
  ValidatePasswordDto,
  VerifyDeleteAccountRequestDto,
  VerifyResetPasswordRequestDto,
  VerifyUpdateEmailRequestDto,
  VerifyUpdatePhoneRequestDto,
};

// common
export type PasswordEncryptType = Static<typeof PasswordEncryptTypeSchema>;
export type SuccessDto = Static<typeof SuccessData>;
export interface Paginated<T> {
  totalCount: number;
  list: T[];
}

export type * from "./claims.js";
