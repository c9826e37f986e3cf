import { type Static, Type } from "@sinclair/typebox";
import { Envelope, NonEmpty, Str } from "./common.js";
import { MfaFactor } from "./management-settings.js";
import { UserIdType } from "./management-users.js";

/**
 * Multi-factor authentication, the user's own factors (docs/mfa.md). Names follow the official
 * SDK's models (SendEnrollFactorRequestDto, EnrollFactorDto, FactorDto …).
 */

/** The factor types of the SDK's enums (a union of literals, so response types stay exact). */
const FactorTypeOut = Type.Union([
  Type.Literal("OTP"),
  Type.Literal("SMS"),
  Type.Literal("EMAIL"),
  Type.Literal("FACE"),
]);

export const FactorProfile = Type.Object({
  phoneNumber: Type.Optional(Str(32)),
  phoneCountryCode: Type.Optional(Str(8)),
  email: Type.Optional(Str(254)),
});
export type FactorProfile = Static<typeof FactorProfile>;

export const SendEnrollFactorRequestDto = Type.Object({
  factorType: MfaFactor,
  profile: Type.Optional(FactorProfile),
});
export type SendEnrollFactorRequestDto = Static<typeof SendEnrollFactorRequestDto>;

export const SendEnrollFactorRequestDataDto = Type.Object({
  enrollmentToken: Str(256),
  otpData: Type.Optional(
    Type.Object({ qrCodeUri: Type.String(), qrCodeDataUrl: Type.String(), recoveryCode: Type.String() }),
  ),
});
export type SendEnrollFactorRequestDataDto = Static<typeof SendEnrollFactorRequestDataDto>;

export const EnrollFactorDto = Type.Object({
  factorType: MfaFactor,
  enrollmentToken: NonEmpty(256),
  enrollmentData: Type.Object({
    passCode: Type.Optional(Str(16)),
    photo: Type.Optional(Str(2048)),
    isExternalPhoto: Type.Optional(Type.Boolean()),
  }),
});
export type EnrollFactorDto = Static<typeof EnrollFactorDto>;

export const FactorDto = Type.Object({
  factorId: Type.String(),
  factorType: FactorTypeOut,
  profile: FactorProfile,
});
export type FactorDto = Static<typeof FactorDto>;

export const GetFactorQuery = Type.Object({ factorId: NonEmpty(64) });
export const ResetFactorDto = Type.Object({ factorId: NonEmpty(64) });
export type ResetFactorDto = Static<typeof ResetFactorDto>;
export const MfaOtpVerityDto = Type.Object({ totp: NonEmpty(64) });
export type MfaOtpVerityDto = Static<typeof MfaOtpVerityDto>;

export const FactorToEnrollDto = Type.Object({ factorType: FactorTypeOut });

export const SendEnrollFactorRequestResponse = Envelope(SendEnrollFactorRequestDataDto);
export const FactorResponse = Envelope(FactorDto);
export const FactorListResponse = Envelope(Type.Array(FactorDto));
export const FactorsToEnrollResponse = Envelope(Type.Array(FactorToEnrollDto));
export const MfaOtpVerityResponse = Envelope(Type.Object({ verified: Type.Boolean() }));

/** `POST /mfa/token/introspection`: no envelope, like OAuth introspection. */
export const MfaTokenIntrospectResponse = Type.Object({
  active: Type.Boolean(),
  userPoolId: Type.Optional(Type.String()),
  userId: Type.Optional(Type.String()),
  exp: Type.Optional(Type.Integer()),
  iat: Type.Optional(Type.Integer()),
});
export type MfaTokenIntrospectResponse = Static<typeof MfaTokenIntrospectResponse>;

/** get-user-mfa-info (management): each factor type ENABLED when the user has it, else DISABLED. */
const MfaStatus = Type.Union([Type.Literal("ENABLED"), Type.Literal("DISABLED")]);
export const UserMfaRespDto = Type.Object({
  totpStatus: MfaStatus,
  faceMfaStatus: MfaStatus,
  smsMfaStatus: MfaStatus,
  emailMfaStatus: MfaStatus,
});
export type UserMfaRespDto = Static<typeof UserMfaRespDto>;
export const UserMfaInfoResponse = Envelope(UserMfaRespDto);

/** ApplicationMfaDto: one factor of the MFA step, `status` 1 when it counts, `sort` its order. */
export const ApplicationMfaDto = Type.Object({
  mfaPolicy: Type.String(),
  status: Type.Integer(),
  sort: Type.Integer(),
});
export type ApplicationMfaDto = Static<typeof ApplicationMfaDto>;

/**
 * GetMfaInfoDataDto: what the MFA step needs to know (the data of 1635/1636, get-mfa-trigger-data,
 * get-mfa-status). `email` is GenAuth's sign-in answer's, not in the SDK's model.
 */
export const MfaInfoData = Type.Object({
  mfaToken: Type.String(),
  applicationMfa: Type.Array(ApplicationMfaDto),
  totpMfaEnabled: Type.Optional(Type.Boolean()),
  faceMfaEnabled: Type.Optional(Type.Boolean()),
  mfaPhone: Type.Optional(Type.String()),
  mfaPhoneCountryCode: Type.Optional(Type.String()),
  mfaEmail: Type.Optional(Type.String()),
  nickname: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  phoneCountryCode: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
});
export type MfaInfoData = Static<typeof MfaInfoData>;
export const MfaInfoResponse = Envelope(MfaInfoData);

/** SetMfaStatusDto's `mfaTriggerData`: any subset of GetMfaInfoDataDto (an mfaToken is not stored). */
export const MfaTriggerDataInput = Type.Object({
  mfaToken: Type.Optional(Str(2048)),
  applicationMfa: Type.Optional(
    Type.Array(
      Type.Object({
        mfaPolicy: NonEmpty(16),
        status: Type.Integer({ minimum: 0, maximum: 1 }),
        sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
      }),
      { maxItems: 8 },
    ),
  ),
  totpMfaEnabled: Type.Optional(Type.Boolean()),
  faceMfaEnabled: Type.Optional(Type.Boolean()),
  mfaPhone: Type.Optional(Str(32)),
  mfaPhoneCountryCode: Type.Optional(Str(8)),
  mfaEmail: Type.Optional(Str(254)),
  nickname: Type.Optional(Str(255)),
  username: Type.Optional(Str(255)),
  phone: Type.Optional(Str(32)),
  phoneCountryCode: Type.Optional(Str(8)),
});
export type MfaTriggerDataInput = Static<typeof MfaTriggerDataInput>;

/** `POST /api/v2/applications/mfa/totp/verify` (Authorization: Bearer <mfaToken>). */
export const MfaStepTotpBody = Type.Object({ totp: NonEmpty(16) });
/** `POST /api/v2/applications/mfa/sms/verify`. */
export const MfaStepSmsBody = Type.Object({
  phone: NonEmpty(32),
  code: NonEmpty(16),
  phoneCountryCode: Type.Optional(Str(8)),
});
/** `POST /api/v2/applications/mfa/email/verify`. */
export const MfaStepEmailBody = Type.Object({ email: NonEmpty(254), code: NonEmpty(16) });
/** `POST /api/v2/mfa/totp/recovery`. */
export const MfaStepRecoveryBody = Type.Object({ recoveryCode: NonEmpty(64) });
/**
 * `POST /api/v2/mfa/totp/associate` (Authorization: the mfaToken): GenAuth's body names the
 * authenticator (`totp`) and who it is for (`APPLICATION` in a sign-in, `SELF` otherwise); both optional.
 */
export const MfaStepTotpAssociateBody = Type.Object({
  authenticator_type: Type.Optional(Type.Literal("totp")),
  type: Type.Optional(Type.Literal("totp")),
  source: Type.Optional(Type.Union([Type.Literal("APPLICATION"), Type.Literal("SELF")])),
});
/** The authenticator to scan, as GenAuth answers it (snake_case); shown this once. */
export const MfaStepTotpAssociateData = Type.Object({
  authenticator_type: Type.Literal("totp"),
  secret: Type.String(),
  qrcode_uri: Type.String(),
  qrcode_data_url: Type.String(),
  recovery_code: Type.String(),
});
export type MfaStepTotpAssociateData = Static<typeof MfaStepTotpAssociateData>;
export const MfaStepTotpAssociateResponse = Envelope(MfaStepTotpAssociateData);
/** `POST /api/v2/mfa/totp/associate/confirm`: the first code of the new authenticator. */
export const MfaStepTotpAssociateConfirmBody = Type.Object({
  authenticator_type: Type.Optional(Type.Literal("totp")),
  totp: NonEmpty(16),
  source: Type.Optional(Type.Union([Type.Literal("APPLICATION"), Type.Literal("SELF")])),
});
/** The sign-in's tokens; `recoveryCode` is the new one after the old one completed the step. */
export const MfaStepTokenData = Type.Object({
  access_token: Type.String(),
  id_token: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.String(),
  expire_in: Type.Integer(),
  scope: Type.String(),
  recoveryCode: Type.Optional(Type.String()),
});
export type MfaStepTokenData = Static<typeof MfaStepTokenData>;
export const MfaStepResponse = Envelope(MfaStepTokenData);

/** get-mfa-trigger-data (GetMfaTriggerDataDto). */
export const GetMfaTriggerDataQuery = Type.Object({
  appId: NonEmpty(64),
  userId: NonEmpty(255),
  userIdType: Type.Optional(UserIdType),
});
/** set-mfa-status (SetMfaStatusDto). */
export const SetMfaStatusDto = Type.Object({
  mfaTriggerData: MfaTriggerDataInput,
  userId: NonEmpty(255),
  userIdType: Type.Optional(UserIdType),
});
export type SetMfaStatusDto = Static<typeof SetMfaStatusDto>;
/** Gatehouse's reset-user-mfa: `{userId, userIdType?}` → how many factors were removed. */
export const ResetUserMfaDto = Type.Object({
  userId: NonEmpty(255),
  userIdType: Type.Optional(UserIdType),
});
export const ResetUserMfaResponse = Envelope(
  Type.Object({ success: Type.Boolean(), removedFactors: Type.Integer() }),
);

/** update-application-mfa-settings answers the application's effective factors (MFASettingsRespDto). */
export const ApplicationMfaSettingsResponse = Envelope(
  Type.Object({ enabledFactors: Type.Array(FactorTypeOut) }),
);
