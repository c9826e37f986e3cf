import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { BoolFlag, Envelope, NonEmpty, Str } from "./common.js";
import { OneOf } from "./management-users.js";

/** Management API, applications (docs/wire-contract.md §4, ApplicationDto). */

const Opt = <T extends TSchema>(t: T) => Type.Optional(t);
const Uris = Type.Array(Str(2048), { maxItems: 100 });

export const AppType = OneOf([
  "web",
  "spa",
  "native",
  "api",
  "mfa",
  "mini-program",
  "gateway-app",
  "gateway-agent",
] as const);
export const DefaultProtocol = OneOf(["oidc", "oauth", "saml", "cas", "asa"] as const);
export const LoginMethod = OneOf([
  "PHONE_CODE",
  "EMAIL_CODE",
  "PHONE_PASSWORD",
  "EMAIL_PASSWORD",
  "USERNAME_PASSWORD",
  "SELF_BUILT_APP_QRCODE",
] as const);
export const RegisterMethod = OneOf(["PHONE_CODE", "EMAIL_CODE", "EMAIL_PASSWORD"] as const);
export const TokenEndpointAuthMethod = OneOf(["client_secret_post", "client_secret_basic", "none"] as const);
export type TokenEndpointAuthMethod = Static<typeof TokenEndpointAuthMethod>;

const DefaultLoginMethod = Type.Object({
  connectionType: OneOf(["PASSCODE", "PASSWORD", "QRCODE", "LDAP", "AD"] as const),
  qrcodeType: Opt(Str(64)),
  qrcodeExtIdpConnId: Opt(Str(64)),
  adExtIdpConnId: Opt(Str(64)),
  ldapExtIdpConnId: Opt(Str(64)),
});

export const LoginConfig = Type.Object({
  mergeLoginAndRegisterPage: Type.Boolean(),
  enabledBasicLoginMethods: Type.Array(LoginMethod),
  defaultLoginMethod: Type.Object({
    connectionType: Type.String(),
    qrcodeType: Type.String(),
    qrcodeExtIdpConnId: Type.String(),
    adExtIdpConnId: Type.String(),
    ldapExtIdpConnId: Type.String(),
  }),
  enabledExtIdpConns: Type.Array(Type.Unknown()),
  showAuthorizationPage: Type.Boolean(),
});
export type LoginConfig = Static<typeof LoginConfig>;

export const RegisterConfig = Type.Object({
  enabledBasicRegisterMethods: Type.Array(RegisterMethod),
  defaultRegisterMethod: OneOf(["PASSCODE", "PASSWORD"] as const),
});
export type RegisterConfig = Static<typeof RegisterConfig>;

export const BrandingConfig = Type.Object({
  customCSSEnabled: Type.Boolean(),
  customCSS: Opt(Type.String()),
  guardVersion: OneOf(["Advanced", "Classical"] as const),
  customLoadingImage: Opt(Type.String()),
  customBackground: Opt(Type.String()),
  showChangeLanguageButton: Type.Boolean(),
  defaultLanguage: OneOf(["zh-CN", "en-US", "zh-TW", "ja-JP"] as const),
  showForgetPasswordButton: Type.Boolean(),
  showEnterpriseConnections: Type.Boolean(),
  showSocialConnections: Type.Boolean(),
  showAgreement: Type.Boolean(),
  agreements: Type.Array(Type.Unknown()),
});
export type BrandingConfig = Static<typeof BrandingConfig>;

/**
 * GenAuth keeps an application's OIDC settings in `oidcConfig` (the SDK leaves it unmodelled).
 * Gatehouse reads these keys; others are ignored. Lifetimes are seconds.
 */
export const OidcConfigInput = Type.Object({
  token_endpoint_auth_method: Opt(TokenEndpointAuthMethod),
  introspection_endpoint_auth_method: Opt(TokenEndpointAuthMethod),
  revocation_endpoint_auth_method: Opt(TokenEndpointAuthMethod),
  id_token_signed_response_alg: Opt(OneOf(["RS256", "HS256"] as const)),
  access_token_expire: Opt(Type.Integer({ minimum: 60, maximum: 30 * 86400 })),
  id_token_expire: Opt(Type.Integer({ minimum: 60, maximum: 30 * 86400 })),
  refresh_token_expire: Opt(Type.Integer({ minimum: 60, maximum: 365 * 86400 })),
  redirect_uris: Opt(Uris),
  post_logout_redirect_uris: Opt(Uris),
  // What /oidc/auth may answer beyond `code`: implicit and hybrid types (docs/oidc-provider.md).
  response_types: Opt(
    Type.Array(
      OneOf([
        "code",
        "id_token",
        "id_token token",
        "code id_token",
        "code token",
        "code id_token token",
      ] as const),
      { maxItems: 6 },
    ),
  ),
  authorization_code_expire: Opt(Type.Integer({ minimum: 10, maximum: 600 })),
  skip_consent: Opt(Type.Boolean()),
});
export type OidcConfigInput = Static<typeof OidcConfigInput>;

export const OidcConfig = Type.Object(
  {
    client_id: Type.String(),
    token_endpoint_auth_method: Type.String(),
    introspection_endpoint_auth_method: Type.String(),
    revocation_endpoint_auth_method: Type.String(),
    id_token_signed_response_alg: Type.String(),
    access_token_expire: Type.Integer(),
    id_token_expire: Type.Integer(),
    refresh_token_expire: Type.Integer(),
    redirect_uris: Type.Array(Type.String()),
    post_logout_redirect_uris: Type.Array(Type.String()),
    grant_types: Type.Array(Type.String()),
    response_types: Type.Array(Type.String()),
    authorization_code_expire: Type.Integer(),
    skip_consent: Type.Boolean(),
  },
  { additionalProperties: true },
);

/** ApplicationDto, exactly the SDK's fields. */
export const ApplicationDto = Type.Object({
  appId: Type.String(),
  appIdentifier: Type.String(),
  appName: Type.String(),
  appLogo: Type.String(),
  appDescription: Opt(Type.String()),
  appType: AppType,
  userPoolId: Type.String(),
  isIntegrateApp: Type.Boolean(),
  defaultProtocol: DefaultProtocol,
  redirectUris: Type.Array(Type.String()),
  logoutRedirectUris: Type.Array(Type.String()),
  initLoginUri: Type.String(),
  ssoEnabled: Type.Boolean(),
  ssoEnabledAt: Opt(Type.String()),
  loginConfig: LoginConfig,
  registerConfig: RegisterConfig,
  brandingConfig: BrandingConfig,
  oidcConfig: OidcConfig,
  samlProviderEnabled: Type.Boolean(),
  samlConfig: Opt(Type.Unknown()),
  oauthProviderEnabled: Type.Boolean(),
  oauthConfig: Opt(Type.Unknown()),
  casProviderEnabled: Type.Boolean(),
  casConfig: Opt(Type.Unknown()),
  customBrandingEnabled: Type.Boolean(),
  customSecurityEnabled: Type.Boolean(),
  template: Opt(Type.String()),
});
export type ApplicationDto = Static<typeof ApplicationDto>;

const LoginConfigInput = Type.Object({
  mergeLoginAndRegisterPage: Opt(Type.Boolean()),
  enabledBasicLoginMethods: Opt(Type.Array(LoginMethod, { maxItems: 6 })),
  defaultLoginMethod: Opt(DefaultLoginMethod),
  showAuthorizationPage: Opt(Type.Boolean()),
});
const RegisterConfigInput = Type.Object({
  enabledBasicRegisterMethods: Opt(Type.Array(RegisterMethod, { maxItems: 3 })),
  defaultRegisterMethod: Opt(OneOf(["PASSCODE", "PASSWORD"] as const)),
});
const BrandingConfigInput = Type.Partial(
  Type.Object({
    customCSSEnabled: Type.Boolean(),
    customCSS: Str(20_000),
    guardVersion: OneOf(["Advanced", "Classical"] as const),
    customLoadingImage: Str(2048),
    customBackground: Str(2048),
    showChangeLanguageButton: Type.Boolean(),
    defaultLanguage: OneOf(["zh-CN", "en-US", "zh-TW", "ja-JP"] as const),
    showForgetPasswordButton: Type.Boolean(),
    showEnterpriseConnections: Type.Boolean(),
    showSocialConnections: Type.Boolean(),
  }),
);

const appFields = {
  appIdentifier: Opt(Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" })),
  appLogo: Opt(Str(2048)),
  appDescription: Opt(Str(1000)),
  defaultProtocol: Opt(DefaultProtocol),
  redirectUris: Opt(Uris),
  logoutRedirectUris: Opt(Uris),
  initLoginUri: Opt(Str(2048)),
  ssoEnabled: Opt(Type.Boolean()),
  oidcConfig: Opt(OidcConfigInput),
  loginConfig: Opt(LoginConfigInput),
  registerConfig: Opt(RegisterConfigInput),
  brandingConfig: Opt(BrandingConfigInput),
  templateData: Opt(Type.Unknown()),
};

export const CreateApplicationRequest = Type.Object({
  appName: NonEmpty(128),
  appType: Opt(AppType),
  template: Opt(Str(64)),
  ...appFields,
});
export type CreateApplicationRequest = Static<typeof CreateApplicationRequest>;

export const UpdateApplicationRequest = Type.Object({
  appId: NonEmpty(64),
  appName: Opt(NonEmpty(128)),
  ...appFields,
});
export type UpdateApplicationRequest = Static<typeof UpdateApplicationRequest>;

export const AppIdBody = Type.Object({ appId: NonEmpty(64) });
export const AppIdQuery = Type.Object({ appId: NonEmpty(64) });

export const ListApplicationsQuery = Type.Object({
  page: Opt(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
  isIntegrateApp: BoolFlag,
  isSelfBuiltApp: BoolFlag,
  ssoEnabled: BoolFlag,
  keywords: Opt(Str(128)),
  all: BoolFlag,
});
export type ListApplicationsQuery = Static<typeof ListApplicationsQuery>;

export const ApplicationResponse = Envelope(ApplicationDto);
export const ApplicationPageResponse = Envelope(
  Type.Object({ list: Type.Array(ApplicationDto), totalCount: Type.Integer() }),
);
export const ApplicationSecretResponse = Envelope(Type.Object({ secret: Type.String() }));
