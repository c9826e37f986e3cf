import { type Static, Type } from "@sinclair/typebox";
import { Envelope, Gender, NonEmpty, PasswordEncryptType, Str } from "./common.js";
import { UserDto } from "./user.js";

/** Registration and login (docs/wire-contract.md §3a). */

const Password = NonEmpty(2048); // room for a base64 RSA-4096 ciphertext
const PassCode = NonEmpty(16);
const Email = Str(254);
const Phone = Str(32);
const CountryCode = Str(8);
const Opt = Type.Optional;

export const SignUpProfile = Type.Object({
  nickname: Opt(Str(255)),
  company: Opt(Str(255)),
  photo: Opt(Str(2048)),
  device: Opt(Str(255)),
  browser: Opt(Str(255)),
  name: Opt(Str(255)),
  givenName: Opt(Str(255)),
  familyName: Opt(Str(255)),
  middleName: Opt(Str(255)),
  profile: Opt(Str(2048)),
  preferredUsername: Opt(Str(255)),
  website: Opt(Str(2048)),
  gender: Opt(Gender),
  birthdate: Opt(Str(64)),
  zoneinfo: Opt(Str(64)),
  locale: Opt(Str(64)),
  address: Opt(Str(512)),
  formatted: Opt(Str(512)),
  streetAddress: Opt(Str(512)),
  locality: Opt(Str(255)),
  region: Opt(Str(255)),
  postalCode: Opt(Str(64)),
  country: Opt(Str(255)),
  /** Information completion: needs options.emailPassCodeForInformationCompletion. */
  email: Opt(Email),
  /** Information completion: needs options.phonePassCodeForInformationCompletion. */
  phone: Opt(Phone),
  phoneCountryCode: Opt(CountryCode),
  customData: Opt(Type.Record(Str(128), Type.Unknown(), { maxProperties: 50 })),
});
export type SignUpProfile = Static<typeof SignUpProfile>;

export const SignUpOptions = Type.Object({
  clientIp: Opt(Str(64)),
  phonePassCodeForInformationCompletion: Opt(PassCode),
  emailPassCodeForInformationCompletion: Opt(PassCode),
  /** Sets a password when signing up by phone (or email) code. */
  passwordForPhonePassCode: Opt(Password),
  passwordEncryptType: Opt(PasswordEncryptType),
});

export const SignUpRequest = Type.Object({
  connection: Type.Union([Type.Literal("PASSWORD"), Type.Literal("PASSCODE")]),
  passwordPayload: Opt(Type.Object({ password: Password, username: Opt(Str(128)), email: Opt(Email) })),
  passCodePayload: Opt(
    Type.Object({
      passCode: PassCode,
      email: Opt(Email),
      phone: Opt(Phone),
      phoneCountryCode: Opt(CountryCode),
    }),
  ),
  profile: Opt(SignUpProfile),
  options: Opt(SignUpOptions),
});
export type SignUpRequest = Static<typeof SignUpRequest>;
export const SignUpResponse = Envelope(UserDto);

export const SignInOptions = Type.Object({
  /** Space separated; default "openid profile"; offline_access adds a refresh token. */
  scope: Opt(Str(1024)),
  /** The end user's IP when a backend signs in on their behalf (trusted only with client authentication). */
  clientIp: Opt(Str(64)),
  tenantId: Opt(Str(64)),
  /** Create the account when it does not exist (explicit email/username/phone, or a passcode). */
  autoRegister: Opt(Type.Boolean()),
  /** The new account's custom data when autoRegister creates it; the user's rule applies. */
  customData: Opt(Type.Record(Str(128), Type.Unknown(), { maxProperties: 50 })),
  captchaCode: Opt(Str(64)),
  captchaToken: Opt(Str(2048)),
  passwordEncryptType: Opt(PasswordEncryptType),
});
export type SignInOptions = Static<typeof SignInOptions>;

export const SignInRequest = Type.Object({
  connection: Type.Union([
    Type.Literal("PASSWORD"),
    Type.Literal("PASSCODE"),
    Type.Literal("LDAP"),
    Type.Literal("AD"),
  ]),
  passwordPayload: Opt(
    Type.Object({
      password: Password,
      /** Matched against username, email and phone. */
      account: Opt(Str(254)),
      email: Opt(Email),
      username: Opt(Str(128)),
      phone: Opt(Phone),
    }),
  ),
  passCodePayload: Opt(
    Type.Object({
      passCode: PassCode,
      email: Opt(Email),
      phone: Opt(Phone),
      phoneCountryCode: Opt(CountryCode),
    }),
  ),
  options: Opt(SignInOptions),
  /** client_secret_post client authentication (docs/wire-contract.md §1.3). */
  client_id: Opt(Str(64)),
  client_secret: Opt(Str(256)),
});
export type SignInRequest = Static<typeof SignInRequest>;

/** LoginTokenResponseDataDto: note the singular `expire_in` (docs/wire-contract.md §0.5). */
export const LoginTokenData = Type.Object({
  access_token: Type.String(),
  id_token: Opt(Type.String()),
  refresh_token: Opt(Type.String()),
  token_type: Type.String(),
  expire_in: Type.Integer(),
  scope: Type.String(),
});
export type LoginTokenData = Static<typeof LoginTokenData>;
export const SignInResponse = Envelope(LoginTokenData);

/** `data` of a wrong account/password answer (403/2333). */
export const LoginFailedData = Type.Object({ remainCount: Type.Integer() });
