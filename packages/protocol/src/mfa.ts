import { type Static, Type } from "@sinclair/typebox";
import { Envelope, NonEmpty, Str } from "./common.js";
import { MfaFactor } from "./management-settings.js";

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
