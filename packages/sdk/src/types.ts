/**
 * The SDK's request and response types under the official SDK's names. Each is the `Static<>`
 * type of a @gatehouse/protocol schema — the one the server validates with; the endpoints whose
 * schemas have not landed yet are described in pending-types.ts.
 */
import type {
  EmailChannel,
  IntrospectionResponse,
  LoggedInAppDto,
  LoginHistoryDto,
  LoginTokenData,
  PreCheckCodeBody,
  PreCheckCodeData,
  SendEmailBody,
  SendSmsBody,
  SignInOptions,
  SignInRequest,
  SignUpProfile,
  SignUpRequest,
  SmsChannel,
  TokenResponse,
} from "@gatehouse/protocol";

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

export type * from "./pending-types.js";
