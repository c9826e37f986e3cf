import type {
  ApplicationDto,
  BrandingConfig,
  CreateApplicationRequest,
  ListApplicationsQuery,
  LoginConfig,
  RegisterConfig,
  UpdateApplicationRequest,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId, newSecret } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import type { ApplicationPatch } from "../../storage/repos/application-admin.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import { type Emit, withEvents } from "../events/emit.js";
import type { EventName } from "../events/names.js";
import type { EventOrigin } from "../events/scope.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { defaultAppConfig } from "./bootstrap.js";

/**
 * Applications of the management API (docs/wire-contract.md §4, ApplicationDto). The stored `config`
 * JSON keeps bootstrap's keys (redirect URIs, token lifetimes) that the token service reads,
 * plus the presentation settings GenAuth's ApplicationDto carries.
 */
export interface AppConfig {
  redirectUris: string[];
  logoutRedirectUris: string[];
  accessTokenExpiresIn: number;
  idTokenExpiresIn: number;
  refreshTokenExpiresIn: number;
  introspectionEndpointAuthMethod?: string;
  revocationEndpointAuthMethod?: string;
  idTokenSignedResponseAlg?: string;
  appLogo?: string;
  appDescription?: string;
  defaultProtocol?: ApplicationDto["defaultProtocol"];
  initLoginUri?: string;
  ssoEnabled?: boolean;
  ssoEnabledAt?: number;
  template?: string;
  loginConfig?: Partial<LoginConfig>;
  registerConfig?: Partial<RegisterConfig>;
  brandingConfig?: Partial<BrandingConfig>;
  responseTypes?: string[];
  authorizationCodeExpire?: number;
  skipConsent?: boolean;
}

const DEFAULT_LOGIN: LoginConfig = {
  mergeLoginAndRegisterPage: false,
  enabledBasicLoginMethods: [
    "PHONE_CODE",
    "EMAIL_CODE",
    "PHONE_PASSWORD",
    "EMAIL_PASSWORD",
    "USERNAME_PASSWORD",
  ],
  defaultLoginMethod: {
    connectionType: "PASSWORD",
    qrcodeType: "",
    qrcodeExtIdpConnId: "",
    adExtIdpConnId: "",
    ldapExtIdpConnId: "",
  },
  enabledExtIdpConns: [],
  showAuthorizationPage: false,
};
const DEFAULT_REGISTER: RegisterConfig = {
  enabledBasicRegisterMethods: ["PHONE_CODE", "EMAIL_CODE", "EMAIL_PASSWORD"],
  defaultRegisterMethod: "PASSWORD",
};
const DEFAULT_BRANDING: BrandingConfig = {
  customCSSEnabled: false,
  guardVersion: "Advanced",
  showChangeLanguageButton: true,
  defaultLanguage: "zh-CN",
  showForgetPasswordButton: true,
  showEnterpriseConnections: true,
  showSocialConnections: true,
  showAgreement: false,
  agreements: [],
};

export function parseAppConfig(json: string): AppConfig {
  let stored: Partial<AppConfig> = {};
  try {
    stored = JSON.parse(json) as Partial<AppConfig>;
  } catch {
    // fall back to defaults
  }
  return { ...defaultAppConfig(), ...stored };
}

export function toApplicationDto(row: ApplicationRow): ApplicationDto {
  const c = parseAppConfig(row.config);
  const tokenAuth = row.token_endpoint_auth_method;
  return {
    appId: row.id,
    appIdentifier: row.identifier,
    appName: row.name,
    appLogo: c.appLogo ?? "",
    ...(c.appDescription !== undefined ? { appDescription: c.appDescription } : {}),
    appType: row.app_type as ApplicationDto["appType"],
    userPoolId: row.pool_id,
    isIntegrateApp: false,
    defaultProtocol: c.defaultProtocol ?? "oidc",
    redirectUris: c.redirectUris,
    logoutRedirectUris: c.logoutRedirectUris,
    initLoginUri: c.initLoginUri ?? "",
    ssoEnabled: c.ssoEnabled ?? false,
    ...(c.ssoEnabledAt ? { ssoEnabledAt: new Date(c.ssoEnabledAt).toISOString() } : {}),
    loginConfig: {
      ...DEFAULT_LOGIN,
      ...c.loginConfig,
      defaultLoginMethod: { ...DEFAULT_LOGIN.defaultLoginMethod, ...c.loginConfig?.defaultLoginMethod },
    },
    registerConfig: { ...DEFAULT_REGISTER, ...c.registerConfig },
    brandingConfig: { ...DEFAULT_BRANDING, ...c.brandingConfig },
    oidcConfig: {
      client_id: row.id,
      token_endpoint_auth_method: tokenAuth,
      introspection_endpoint_auth_method: c.introspectionEndpointAuthMethod ?? tokenAuth,
      revocation_endpoint_auth_method: c.revocationEndpointAuthMethod ?? tokenAuth,
      id_token_signed_response_alg: c.idTokenSignedResponseAlg ?? "RS256",
      access_token_expire: c.accessTokenExpiresIn,
      id_token_expire: c.idTokenExpiresIn,
      refresh_token_expire: c.refreshTokenExpiresIn,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.logoutRedirectUris,
      grant_types: ["authorization_code", "refresh_token", "password"],
      response_types: c.responseTypes ?? ["code"],
      authorization_code_expire: c.authorizationCodeExpire ?? 60,
      skip_consent: c.skipConsent ?? true,
    },
    samlProviderEnabled: false,
    oauthProviderEnabled: false,
    casProviderEnabled: false,
    customBrandingEnabled: false,
    customSecurityEnabled: false,
    ...(c.template !== undefined ? { template: c.template } : {}),
  };
}

type AppInput = Omit<UpdateApplicationRequest, "appId" | "appName">;

/** Applies the request's fields onto the stored config and columns. */
function applyInput(
  config: AppConfig,
  input: AppInput,
  now: number,
): { config: AppConfig; tokenAuth?: string } {
  const c: AppConfig = { ...config };
  if (input.appLogo !== undefined) c.appLogo = input.appLogo;
  if (input.appDescription !== undefined) c.appDescription = input.appDescription;
  if (input.defaultProtocol !== undefined) c.defaultProtocol = input.defaultProtocol;
  if (input.initLoginUri !== undefined) c.initLoginUri = input.initLoginUri;
  if (input.ssoEnabled !== undefined) {
    if (input.ssoEnabled && !c.ssoEnabled) c.ssoEnabledAt = now;
    c.ssoEnabled = input.ssoEnabled;
  }
  if (input.redirectUris !== undefined) c.redirectUris = input.redirectUris;
  if (input.logoutRedirectUris !== undefined) c.logoutRedirectUris = input.logoutRedirectUris;
  if (input.loginConfig) {
    c.loginConfig = {
      ...c.loginConfig,
      ...input.loginConfig,
      defaultLoginMethod: {
        ...DEFAULT_LOGIN.defaultLoginMethod,
        ...c.loginConfig?.defaultLoginMethod,
        ...input.loginConfig.defaultLoginMethod,
      },
    };
  }
  if (input.registerConfig) c.registerConfig = { ...c.registerConfig, ...input.registerConfig };
  if (input.brandingConfig) c.brandingConfig = { ...c.brandingConfig, ...input.brandingConfig };
  const o = input.oidcConfig;
  if (o) {
    if (o.redirect_uris !== undefined) c.redirectUris = o.redirect_uris;
    if (o.post_logout_redirect_uris !== undefined) c.logoutRedirectUris = o.post_logout_redirect_uris;
    if (o.access_token_expire !== undefined) c.accessTokenExpiresIn = o.access_token_expire;
    if (o.id_token_expire !== undefined) c.idTokenExpiresIn = o.id_token_expire;
    if (o.refresh_token_expire !== undefined) c.refreshTokenExpiresIn = o.refresh_token_expire;
    if (o.introspection_endpoint_auth_method !== undefined)
      c.introspectionEndpointAuthMethod = o.introspection_endpoint_auth_method;
    if (o.revocation_endpoint_auth_method !== undefined)
      c.revocationEndpointAuthMethod = o.revocation_endpoint_auth_method;
    if (o.id_token_signed_response_alg !== undefined)
      c.idTokenSignedResponseAlg = o.id_token_signed_response_alg;
    if (o.response_types !== undefined) c.responseTypes = [...new Set(["code", ...o.response_types])];
    if (o.authorization_code_expire !== undefined) c.authorizationCodeExpire = o.authorization_code_expire;
    if (o.skip_consent !== undefined) c.skipConsent = o.skip_consent;
  }
  return { config: c, tokenAuth: o?.token_endpoint_auth_method };
}

function identifierFrom(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `${slug || "app"}-${newId().slice(0, 6)}`;
}

export function createAppAdmin({
  repos,
  clock,
  box,
  emit,
}: {
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
  emit: Emit;
}) {
  /** The application's event, in the transaction of its change (`data` never holds the secret). */
  const appEvent = (tx: Repositories, origin: EventOrigin, name: EventName, app: ApplicationRow) =>
    emit(tx, origin, { poolId: app.pool_id, name, data: toApplicationDto(app) });

  const requireApp = async (poolId: string, appId: string) => {
    const app = await repos.applications.findPoolApplication(poolId, appId);
    if (!app) throw new ApiError("APP_NOT_FOUND");
    return app;
  };
  const assertIdentifierFree = async (poolId: string, identifier: string, self?: string) => {
    const other = await repos.applications.findPoolApplicationByIdentifier(poolId, identifier);
    if (other && other.id !== self) throw new ApiError("APP_IDENTIFIER_TAKEN");
  };
  const guarded = async <T>(fn: () => Promise<T>) => {
    try {
      return await fn();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError("APP_IDENTIFIER_TAKEN");
      throw err;
    }
  };

  const get = async (poolId: string, appId: string): Promise<ApplicationDto> =>
    toApplicationDto(await requireApp(poolId, appId));

  return {
    requireApp,
    async create(
      poolId: string,
      input: CreateApplicationRequest,
      origin: EventOrigin,
    ): Promise<ApplicationDto> {
      const identifier = input.appIdentifier ?? identifierFrom(input.appName);
      await assertIdentifierFree(poolId, identifier);
      const now = clock.now();
      const base: AppConfig = defaultAppConfig();
      if (input.template !== undefined) base.template = input.template;
      const { config, tokenAuth } = applyInput(base, input, now);
      const id = newId();
      const row: ApplicationRow = {
        id,
        pool_id: poolId,
        name: input.appName,
        identifier,
        secret: box.seal("app-secret", id, newSecret()),
        app_type: input.appType ?? "web",
        token_endpoint_auth_method:
          tokenAuth ??
          (input.appType === "spa" || input.appType === "native" ? "none" : "client_secret_post"),
        config: JSON.stringify(config),
        created_at: now,
        updated_at: now,
      };
      await guarded(() =>
        withEvents(repos, async (tx) => {
          await tx.applications.insertApplication(row);
          await appEvent(tx, origin, "application:created", row);
        }),
      );
      return toApplicationDto(row);
    },

    get,

    /** Self-built applications only (Gatehouse has no integrated ones); few per pool, paged in memory. */
    async list(
      poolId: string,
      q: ListApplicationsQuery,
    ): Promise<{ list: ApplicationDto[]; totalCount: number }> {
      if (q.isIntegrateApp && !q.isSelfBuiltApp) return { list: [], totalCount: 0 };
      const kw = q.keywords?.trim().toLowerCase();
      const all = (await repos.applications.listApplicationsByPool(poolId))
        .map(toApplicationDto)
        .filter((a) => !q.ssoEnabled || a.ssoEnabled)
        .filter(
          (a) =>
            !kw ||
            a.appName.toLowerCase().includes(kw) ||
            a.appIdentifier.toLowerCase().includes(kw) ||
            a.appId === kw,
        );
      if (q.all) return { list: all, totalCount: all.length };
      const page = q.page ?? 1;
      const limit = q.limit ?? 10;
      return { list: all.slice((page - 1) * limit, page * limit), totalCount: all.length };
    },

    async update(
      poolId: string,
      input: UpdateApplicationRequest,
      origin: EventOrigin,
    ): Promise<ApplicationDto> {
      const app = await requireApp(poolId, input.appId);
      if (input.appIdentifier !== undefined && input.appIdentifier !== app.identifier) {
        await assertIdentifierFree(poolId, input.appIdentifier, app.id);
      }
      const now = clock.now();
      const { config, tokenAuth } = applyInput(parseAppConfig(app.config), input, now);
      const patch: ApplicationPatch = { config: JSON.stringify(config), updated_at: now };
      if (input.appName !== undefined) patch.name = input.appName;
      if (input.appIdentifier !== undefined) patch.identifier = input.appIdentifier;
      if (tokenAuth !== undefined) patch.token_endpoint_auth_method = tokenAuth;
      await guarded(() =>
        withEvents(repos, async (tx) => {
          await tx.applications.updatePoolApplication(poolId, app.id, patch);
          await appEvent(tx, origin, "application:updated", { ...app, ...patch });
        }),
      );
      return get(poolId, app.id);
    },

    async remove(poolId: string, appId: string, origin: EventOrigin): Promise<void> {
      const app = await requireApp(poolId, appId);
      const boot = await repos.meta.getMeta("bootstrap");
      if (boot && (JSON.parse(boot) as { appId?: string }).appId === appId)
        throw new ApiError("DEFAULT_APP_PROTECTED");
      await withEvents(repos, async (tx) => {
        await tx.applications.deletePoolApplication(poolId, appId);
        await appEvent(tx, origin, "application:deleted", app);
      });
    },

    async secret(poolId: string, appId: string): Promise<string> {
      return box.open("app-secret", appId, (await requireApp(poolId, appId)).secret);
    },

    async refreshSecret(poolId: string, appId: string, origin: EventOrigin): Promise<string> {
      const app = await requireApp(poolId, appId);
      const secret = newSecret();
      const sealed = box.seal("app-secret", appId, secret);
      await withEvents(repos, async (tx) => {
        await tx.applications.updatePoolApplication(poolId, appId, {
          secret: sealed,
          updated_at: clock.now(),
        });
        await appEvent(tx, origin, "application:secret-refreshed", app);
      });
      return secret;
    },
  };
}
export type AppAdmin = ReturnType<typeof createAppAdmin>;
