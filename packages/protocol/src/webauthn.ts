import { type Static, Type } from "@sinclair/typebox";
import { SignInOptions } from "./auth.js";
import { Envelope, NonEmpty, Str, SuccessResponse } from "./common.js";

/**
 * Passkeys (WebAuthn) and my devices (docs/passkeys.md). Names follow the official SDK's models
 * (GetRegistrationOptionsRespDto, VerifyRegistrationDto, VerifyAuthenticationDto,
 * TerminalSessionDto …); the WebAuthn JSON is the browsers' (PublicKeyCredential.toJSON()).
 */

const Opt = Type.Optional;
/** base64url of an id or key; WebAuthn allows credential ids up to 1023 bytes. */
const B64 = (max: number) => Type.String({ maxLength: max, pattern: "^[A-Za-z0-9_-]*={0,2}$" });

/** The options a browser passes to navigator.credentials.create/get, as the library makes them. */
const PublicKeyOptions = Type.Object(
  { challenge: Type.String(), rpId: Opt(Type.String()), timeout: Opt(Type.Integer()) },
  { additionalProperties: true },
);

export const RegistrationOptionsDto = Type.Object({
  registrationOptions: PublicKeyOptions,
  ticket: Type.String(),
});
export const GetRegistrationOptionsResponse = Envelope(RegistrationOptionsDto);

export const AuthenticationOptionsDto = Type.Object({
  authenticationOptions: PublicKeyOptions,
  ticket: Type.String(),
});
export const GetAuthenticationOptionsResponse = Envelope(AuthenticationOptionsDto);

const Transports = Type.Array(Str(32), { maxItems: 10 });
const ClientExtensionResults = Type.Record(Str(64), Type.Unknown(), { maxProperties: 20 });

/** RegistrationCredentialDto: `PublicKeyCredential.toJSON()` of a create(). */
export const RegistrationCredential = Type.Object({
  id: NonEmpty(1366),
  rawId: NonEmpty(1366),
  type: Type.Literal("public-key"),
  response: Type.Object({
    clientDataJSON: B64(8192),
    attestationObject: B64(65536),
    authenticatorData: Opt(B64(65536)),
    transports: Opt(Transports),
    publicKeyAlgorithm: Opt(Type.Integer()),
    publicKey: Opt(B64(8192)),
  }),
  authenticatorAttachment: Opt(Str(32)),
  clientExtensionResults: Opt(ClientExtensionResults),
  transports: Opt(Transports),
});
export type RegistrationCredential = Static<typeof RegistrationCredential>;

export const VerifyRegistrationDto = Type.Object({
  ticket: NonEmpty(128),
  registrationCredential: RegistrationCredential,
  authenticatorCode: Opt(
    Type.Union([Type.Literal("fingerprint"), Type.Literal("face"), Type.Literal("other")]),
  ),
  /** Gatehouse's: the passkey's name ("MacBook"); default "Passkey". */
  name: Opt(Str(64)),
});
export type VerifyRegistrationDto = Static<typeof VerifyRegistrationDto>;
export const VerifyRegistrationResponse = Envelope(Type.Object({ verified: Type.Boolean() }));

/** AuthenticationCredentialDto: `PublicKeyCredential.toJSON()` of a get(). */
export const AuthenticationCredential = Type.Object({
  id: NonEmpty(1366),
  rawId: NonEmpty(1366),
  type: Type.Literal("public-key"),
  response: Type.Object({
    authenticatorData: B64(8192),
    clientDataJSON: B64(8192),
    signature: B64(2048),
    userHandle: Opt(B64(1024)),
  }),
  authenticatorAttachment: Opt(Str(32)),
  clientExtensionResults: Opt(ClientExtensionResults),
});
export type AuthenticationCredential = Static<typeof AuthenticationCredential>;

export const VerifyAuthenticationDto = Type.Object({
  ticket: NonEmpty(128),
  authenticationCredential: AuthenticationCredential,
  options: Opt(Type.Pick(SignInOptions, ["scope", "customData"])),
});
export type VerifyAuthenticationDto = Static<typeof VerifyAuthenticationDto>;

/** FinalizeWebAuthnLoginDto: the same as VerifyAuthenticationDto with `credential`. */
export const FinalizeWebAuthnLoginDto = Type.Object({
  ticket: NonEmpty(128),
  credential: AuthenticationCredential,
  options: Opt(Type.Pick(SignInOptions, ["scope", "customData"])),
});
export type FinalizeWebAuthnLoginDto = Static<typeof FinalizeWebAuthnLoginDto>;

const S = Type.String();
const TokenSet = Type.Object({
  access_token: S,
  id_token: Opt(S),
  refresh_token: Opt(S),
  token_type: S,
  expire_in: Type.Integer(),
  scope: S,
});
export const VerifyAuthenticationResponse = Envelope(
  Type.Object({ verified: Type.Boolean(), tokenSet: Opt(TokenSet) }),
);

/** One passkey as the user sees it (Gatehouse's shape; the SDK types these lists as `any`). */
export const PasskeyDto = Type.Object({
  id: S,
  credentialId: S,
  name: S,
  authenticatorCode: S,
  aaguid: S,
  transports: Type.Array(S),
  deviceType: S,
  backedUp: Type.Boolean(),
  createdAt: S,
  lastUsedAt: Type.Union([S, Type.Null()]),
});
export type PasskeyDto = Static<typeof PasskeyDto>;

export const PageQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
});
export type PageQuery = Static<typeof PageQuery>;

export const PasskeyPage = Type.Object({ totalCount: Type.Integer(), list: Type.Array(PasskeyDto) });
export const PasskeyPageResponse = Envelope(PasskeyPage);

/** `page-authenticator-device`: the SDK sends `{}`; page and limit may come along. */
export const PageAuthenticatorDeviceDto = Type.Object({
  page: Opt(Type.Integer({ minimum: 1, maximum: 100_000 })),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 50 })),
});

/** `check-valid-credentials-by-credIds`: which of these credential ids are the user's passkeys. */
export const CheckCredentialIdsDto = Type.Object({
  credIds: Opt(Type.Array(Str(1366), { maxItems: 50 })),
  credentialIds: Opt(Type.Array(Str(1366), { maxItems: 50 })),
});
export const CheckCredentialIdsResponse = Envelope(Type.Array(S));

export const RemoveByAuthenticatorCodeDto = Type.Object({
  authenticatorCode: Opt(
    Type.Union([Type.Literal("fingerprint"), Type.Literal("face"), Type.Literal("other")]),
  ),
});

export const CredentialParams = Type.Object({ credentialId: NonEmpty(1366) });
/** Where the SDK leaves `{credentialId}` in the path, the id comes in the body or the query. */
export const CredentialIdCarrier = Type.Object({
  credentialId: Opt(Str(1366)),
  credentialID: Opt(Str(1366)),
});
export const UpdatePasskeyDto = Type.Object({
  name: NonEmpty(64),
  credentialId: Opt(Str(1366)),
  credentialID: Opt(Str(1366)),
});
export type UpdatePasskeyDto = Static<typeof UpdatePasskeyDto>;
export const PasskeySuccessResponse = SuccessResponse;

/** `admin/credentials/{credentialId}/{userId}/{appId}`: the SDK leaves all three placeholders in. */
export const AdminCredentialParams = Type.Object({
  credentialId: NonEmpty(1366),
  userId: NonEmpty(64),
  appId: NonEmpty(64),
});
/** Where the SDK leaves placeholders in the path, the ids come in the query or the body. */
export const AdminCredentialCarrier = Type.Object({
  credentialId: Opt(Str(1366)),
  credentialID: Opt(Str(1366)),
  userId: Opt(Str(64)),
  appId: Opt(Str(64)),
});
/** `listWebAuthnPersonCredentials({userId, page, limit, appId})`. */
export const PersonCredentialsQuery = Type.Object({
  userId: NonEmpty(64),
  appId: Opt(Str(64)),
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
});
export type PersonCredentialsQuery = Static<typeof PersonCredentialsQuery>;

// My devices ---------------------------------------------------------------------------------

export const DeviceInfo = Type.Object({
  deviceId: S,
  name: Opt(S),
  version: Opt(S),
  type: Type.Union([Type.Literal("Browser"), Type.Literal("Mobile"), Type.Literal("Desktop")]),
  mod: Opt(S),
  os: Opt(S),
  status: Opt(S),
  userAgent: Opt(S),
});
export const TerminalSessionDto = Type.Object({
  device: DeviceInfo,
  lastLoginTime: S,
  lastIp: Opt(S),
  online: Type.Boolean(),
});
export type TerminalSessionDto = Static<typeof TerminalSessionDto>;
export const TerminalSessionResponse = Envelope(Type.Array(TerminalSessionDto));
export const DeviceIdDto = Type.Object({ deviceId: NonEmpty(128) });
