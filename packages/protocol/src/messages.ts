import { type Static, Type } from "@sinclair/typebox";
import { CommonResponse, Envelope, NonEmpty, Str } from "./common.js";

/** Message service, docs/wire-contract.md §3b; channels docs/behaviour-and-errors.md §1.4. */

/** Exactly the 11 SMS channels of `SendSMSDto` (there is no CHANNEL_UPDATE_PHONE). */
export const SMS_CHANNELS = [
  "CHANNEL_LOGIN",
  "CHANNEL_REGISTER",
  "CHANNEL_RESET_PASSWORD",
  "CHANNEL_BIND_PHONE",
  "CHANNEL_UNBIND_PHONE",
  "CHANNEL_BIND_MFA",
  "CHANNEL_VERIFY_MFA",
  "CHANNEL_UNBIND_MFA",
  "CHANNEL_COMPLETE_PHONE",
  "CHANNEL_IDENTITY_VERIFICATION",
  "CHANNEL_DELETE_ACCOUNT",
] as const;
export type SmsChannel = (typeof SMS_CHANNELS)[number];

/** Exactly the 11 email channels of `SendEmailDto`. */
export const EMAIL_CHANNELS = [
  "CHANNEL_LOGIN",
  "CHANNEL_REGISTER",
  "CHANNEL_RESET_PASSWORD",
  "CHANNEL_VERIFY_EMAIL_LINK",
  "CHANNEL_UPDATE_EMAIL",
  "CHANNEL_BIND_EMAIL",
  "CHANNEL_UNBIND_EMAIL",
  "CHANNEL_VERIFY_MFA",
  "CHANNEL_UNLOCK_ACCOUNT",
  "CHANNEL_COMPLETE_EMAIL",
  "CHANNEL_DELETE_ACCOUNT",
] as const;
export type EmailChannel = (typeof EMAIL_CHANNELS)[number];

/** A string enum (not a union of literals): one readable validation message, one OpenAPI enum. */
function StringEnum<T extends string>(values: readonly T[]) {
  return Type.Unsafe<T>({ type: "string", enum: [...values] });
}

export const SmsChannel = StringEnum(SMS_CHANNELS);
export const EmailChannel = StringEnum(EMAIL_CHANNELS);

/** A code as typed by a user: bounded, checked by the code engine (anything else is just wrong). */
const PassCode = NonEmpty(16);
const PhoneNumber = NonEmpty(32);
const PhoneCountryCode = Type.Optional(Str(8));
const Email = NonEmpty(254);

/** `POST /api/v3/send-sms` (`SendSMSDto`). */
export const SendSmsBody = Type.Object({
  channel: SmsChannel,
  phoneNumber: PhoneNumber,
  phoneCountryCode: PhoneCountryCode,
});
export type SendSmsBody = Static<typeof SendSmsBody>;

/** `POST /api/v3/send-email` (`SendEmailDto`). */
export const SendEmailBody = Type.Object({
  channel: EmailChannel,
  email: Email,
});
export type SendEmailBody = Static<typeof SendEmailBody>;

export const SendSmsResponse = CommonResponse;
export const SendEmailResponse = CommonResponse;

/** `PreCheckSmsCodeDto`. */
export const PreCheckSmsCode = Type.Object({
  phone: PhoneNumber,
  passCode: PassCode,
  phoneCountryCode: PhoneCountryCode,
  channel: SmsChannel,
});

/** `PreCheckEmailCodeDto`. */
export const PreCheckEmailCode = Type.Object({
  email: Email,
  passCode: PassCode,
  channel: EmailChannel,
});

/** `POST /api/v3/pre-check-code` (`PreCheckCodeDto`): the payload matching `codeType` is required. */
export const PreCheckCodeBody = Type.Object({
  codeType: StringEnum(["SMS", "EMAIL"] as const),
  smsCodePayload: Type.Optional(PreCheckSmsCode),
  emailCodePayload: Type.Optional(PreCheckEmailCode),
});
export type PreCheckCodeBody = Static<typeof PreCheckCodeBody>;

/** `PreCheckCodeDataDto`. */
export const PreCheckCodeData = Type.Object({
  isValid: Type.Boolean(),
  message: Type.Optional(Type.String()),
});
export type PreCheckCodeData = Static<typeof PreCheckCodeData>;
export const PreCheckCodeResponse = Envelope(PreCheckCodeData);
