import { type Static, Type } from "@sinclair/typebox";
import { Envelope, Gender, NonEmpty, PasswordEncryptType, Str } from "./common.js";
import { UserDto } from "./user.js";

/**
 * User information (profile self-service): docs/wire-contract.md §3c, docs/behaviour-and-errors.md §2.
 * Names follow the official SDK's models so its users recognise them.
 */

const Phone = NonEmpty(32);
const CountryCode = Type.Optional(Str(8));
const PassCode = NonEmpty(16);
const Email = NonEmpty(254);
const Password = NonEmpty(2048);
const FlowToken = NonEmpty(256);
const EncryptType = Type.Optional(PasswordEncryptType);

// ---------------------------------------------------------------- get-profile / update-profile

export const GetProfileQuery = Type.Object({
  withCustomData: Type.Optional(Type.Boolean({ default: false })),
  withIdentities: Type.Optional(Type.Boolean({ default: false })),
  withDepartmentIds: Type.Optional(Type.Boolean({ default: false })),
});
export type GetProfileQuery = Static<typeof GetProfileQuery>;

const ProfileText = (max = 256) => Type.Optional(Type.String({ maxLength: max }));

/**
 * The fields of the SDK's UpdateUserProfileDto but `externalId`, which only an administrator sets
 * (docs/behaviour-and-errors.md §2.11); anything else is refused (§2.8).
 */
export const UpdateUserProfileDto = Type.Object(
  {
    name: ProfileText(),
    nickname: ProfileText(),
    photo: ProfileText(2048),
    birthdate: ProfileText(64),
    country: ProfileText(),
    province: ProfileText(),
    city: ProfileText(),
    address: ProfileText(1024),
    streetAddress: ProfileText(1024),
    postalCode: ProfileText(64),
    gender: Type.Optional(Gender),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    company: ProfileText(),
    customData: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 100 }),
    ),
    identityNumber: ProfileText(64),
  },
  { additionalProperties: false },
);
export type UpdateUserProfileDto = Static<typeof UpdateUserProfileDto>;

// ---------------------------------------------------------------- bind / unbind

export const BindEmailDto = Type.Object({ email: Email, passCode: PassCode });
export type BindEmailDto = Static<typeof BindEmailDto>;
export const UnbindEmailDto = Type.Object({ passCode: PassCode });
export type UnbindEmailDto = Static<typeof UnbindEmailDto>;
export const BindPhoneDto = Type.Object({
  phoneNumber: Phone,
  passCode: PassCode,
  phoneCountryCode: CountryCode,
});
export type BindPhoneDto = Static<typeof BindPhoneDto>;
export const UnbindPhoneDto = Type.Object({ passCode: PassCode });
export type UnbindPhoneDto = Static<typeof UnbindPhoneDto>;

// ---------------------------------------------------------------- security info

export const GetSecurityInfoDto = Type.Object({
  passwordSecurityLevel: Type.Integer(),
  mfaEnrolled: Type.Boolean(),
  passwordSet: Type.Boolean(),
  emailBinded: Type.Boolean(),
  phoneBinded: Type.Boolean(),
  securityScore: Type.Integer({ minimum: 0, maximum: 100 }),
});
export type GetSecurityInfoDto = Static<typeof GetSecurityInfoDto>;

// ---------------------------------------------------------------- passwords

export const UpdatePasswordDto = Type.Object({
  newPassword: Password,
  oldPassword: Type.Optional(Password),
  passwordEncryptType: EncryptType,
  passwordResetToken: Type.Optional(FlowToken),
});
export type UpdatePasswordDto = Static<typeof UpdatePasswordDto>;

export const ResetPasswordByPhonePassCodeDto = Type.Object({
  phoneNumber: Phone,
  passCode: PassCode,
  phoneCountryCode: CountryCode,
});
export const ResetPasswordByEmailPassCodeDto = Type.Object({
  email: Type.Optional(Email),
  passCode: PassCode,
});
export const VerifyResetPasswordRequestDto = Type.Object({
  verifyMethod: Type.Union([Type.Literal("EMAIL_PASSCODE"), Type.Literal("PHONE_PASSCODE")]),
  phonePassCodePayload: Type.Optional(ResetPasswordByPhonePassCodeDto),
  emailPassCodePayload: Type.Optional(ResetPasswordByEmailPassCodeDto),
});
export type VerifyResetPasswordRequestDto = Static<typeof VerifyResetPasswordRequestDto>;
export const PasswordResetVerifyData = Type.Object({
  passwordResetToken: Type.String(),
  tokenExpiresIn: Type.Integer(),
  /** Gatehouse extra: the policy level the new password must meet (docs/behaviour-and-errors.md §2.3). */
  passwordStrength: Type.Optional(Type.Integer()),
});
export type PasswordResetVerifyData = Static<typeof PasswordResetVerifyData>;

export const ResetPasswordDto = Type.Object({
  password: Password,
  passwordResetToken: FlowToken,
  passwordEncryptType: EncryptType,
});
export type ResetPasswordDto = Static<typeof ResetPasswordDto>;

export const ValidatePasswordDto = Type.Object({
  email: Type.Optional(Str(254)),
  phone: Type.Optional(Str(32)),
  phoneCountryCode: CountryCode,
  username: Type.Optional(Str(128)),
  password: Type.Optional(Str(2048)),
  passwordEncryptType: EncryptType,
});
export type ValidatePasswordDto = Static<typeof ValidatePasswordDto>;
export const ValidatePasswordResultDto = Type.Object({ valid: Type.Boolean() });

// ---------------------------------------------------------------- change email

export const UpdateEmailByEmailPassCodeDto = Type.Object({
  newEmail: Email,
  newEmailPassCode: PassCode,
  oldEmail: Type.Optional(Str(254)),
  oldEmailPassCode: Type.Optional(Str(16)),
});
export type UpdateEmailByEmailPassCodeDto = Static<typeof UpdateEmailByEmailPassCodeDto>;
/** The official doc sample spells the payload `emailPasscodePayload`; both are accepted (§2.2). */
export const VerifyUpdateEmailRequestDto = Type.Object({
  verifyMethod: Type.Literal("EMAIL_PASSCODE"),
  emailPassCodePayload: Type.Optional(UpdateEmailByEmailPassCodeDto),
  emailPasscodePayload: Type.Optional(UpdateEmailByEmailPassCodeDto),
});
export type VerifyUpdateEmailRequestDto = Static<typeof VerifyUpdateEmailRequestDto>;
export const VerifyUpdateEmailRequestData = Type.Object({
  updateEmailToken: Type.String(),
  tokenExpiresIn: Type.Integer(),
});
export const UpdateEmailDto = Type.Object({ updateEmailToken: FlowToken });
export type UpdateEmailDto = Static<typeof UpdateEmailDto>;

// ---------------------------------------------------------------- change phone

export const UpdatePhoneByPhonePassCodeDto = Type.Object({
  newPhoneNumber: Phone,
  newPhonePassCode: PassCode,
  newPhoneCountryCode: CountryCode,
  oldPhoneNumber: Type.Optional(Str(32)),
  oldPhonePassCode: Type.Optional(Str(16)),
  oldPhoneCountryCode: CountryCode,
});
export type UpdatePhoneByPhonePassCodeDto = Static<typeof UpdatePhoneByPhonePassCodeDto>;
export const VerifyUpdatePhoneRequestDto = Type.Object({
  verifyMethod: Type.Literal("PHONE_PASSCODE"),
  phonePassCodePayload: UpdatePhoneByPhonePassCodeDto,
});
export type VerifyUpdatePhoneRequestDto = Static<typeof VerifyUpdatePhoneRequestDto>;
export const VerifyUpdatePhoneRequestData = Type.Object({
  updatePhoneToken: Type.String(),
  tokenExpiresIn: Type.Integer(),
});
export const UpdatePhoneDto = Type.Object({ updatePhoneToken: FlowToken });
export type UpdatePhoneDto = Static<typeof UpdatePhoneDto>;

// ---------------------------------------------------------------- delete account

export const VerifyDeleteAccountRequestDto = Type.Object({
  verifyMethod: Type.Union([
    Type.Literal("PHONE_PASSCODE"),
    Type.Literal("EMAIL_PASSCODE"),
    Type.Literal("PASSWORD"),
  ]),
  phonePassCodePayload: Type.Optional(
    Type.Object({ phoneNumber: Phone, passCode: PassCode, phoneCountryCode: CountryCode }),
  ),
  emailPassCodePayload: Type.Optional(Type.Object({ email: Type.Optional(Email), passCode: PassCode })),
  passwordPayload: Type.Optional(Type.Object({ password: Password, passwordEncryptType: EncryptType })),
});
export type VerifyDeleteAccountRequestDto = Static<typeof VerifyDeleteAccountRequestDto>;
export const VerifyDeleteAccountRequestData = Type.Object({
  deleteAccountToken: Type.String(),
  tokenExpiresIn: Type.Integer(),
});
export const DeleteAccountDto = Type.Object({ deleteAccountToken: FlowToken });
export type DeleteAccountDto = Static<typeof DeleteAccountDto>;

// ---------------------------------------------------------------- responses

export const ProfileResponse = Envelope(UserDto);
export const SecurityInfoResponse = Envelope(GetSecurityInfoDto);
export const UpdatePhoneTokenResponse = Envelope(VerifyUpdatePhoneRequestData);
export const UpdateEmailTokenResponse = Envelope(VerifyUpdateEmailRequestData);
export const PasswordResetTokenResponse = Envelope(PasswordResetVerifyData);
export const DeleteAccountTokenResponse = Envelope(VerifyDeleteAccountRequestData);
export const ValidatePasswordResponse = Envelope(ValidatePasswordResultDto);
