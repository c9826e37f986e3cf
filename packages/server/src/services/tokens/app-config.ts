import type { Clock } from "../../lib/clock.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import { defaultAppConfig } from "../admin/bootstrap.js";

/** The parts of an application's stored `config` the token service reads. */
export interface AppConfig {
  redirectUris: string[];
  logoutRedirectUris: string[];
  /** seconds */
  accessTokenExpiresIn: number;
  idTokenExpiresIn: number;
  refreshTokenExpiresIn: number;
  /** How ID tokens are signed: RS256 with the server's key, or HS256 with the application's secret. */
  idTokenSignedResponseAlg: "RS256" | "HS256";
  appLogo?: string;
  initLoginUri?: string;
  /** PKCE `plain` is accepted from this application (S256 always is; RFC 7636 §4.2). */
  allowPlainPkce: boolean;
  /** What `/oidc/auth` may answer beyond `code` (`oidcConfig.response_types`, docs/oidc-provider.md). */
  responseTypes: string[];
  /** Authorization code lifetime, seconds (`oidcConfig.authorization_code_expire`). */
  authorizationCodeExpire: number;
  /** A first-party application skips the consent page unless `prompt=consent` (`oidcConfig.skip_consent`). */
  skipConsent: boolean;
}

export const TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic", "none"] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

const positive = (v: unknown, fallback: number) =>
  typeof v === "number" && Number.isInteger(v) && v > 0 ? v : fallback;
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export function appConfig(app: Pick<ApplicationRow, "config">): AppConfig {
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(app.config) ?? {};
  } catch {
    // a broken config falls back to defaults
  }
  const d = defaultAppConfig();
  return {
    redirectUris: strings(stored.redirectUris),
    logoutRedirectUris: strings(stored.logoutRedirectUris),
    accessTokenExpiresIn: positive(stored.accessTokenExpiresIn, d.accessTokenExpiresIn),
    idTokenExpiresIn: positive(stored.idTokenExpiresIn, d.idTokenExpiresIn),
    refreshTokenExpiresIn: positive(stored.refreshTokenExpiresIn, d.refreshTokenExpiresIn),
    idTokenSignedResponseAlg: stored.idTokenSignedResponseAlg === "HS256" ? "HS256" : "RS256",
    appLogo: typeof stored.appLogo === "string" ? stored.appLogo : undefined,
    initLoginUri: typeof stored.initLoginUri === "string" ? stored.initLoginUri : undefined,
    allowPlainPkce: stored.allowPlainPkce === true,
    responseTypes: stored.responseTypes === undefined ? ["code"] : strings(stored.responseTypes),
    authorizationCodeExpire: Math.min(positive(stored.authorizationCodeExpire, 60), 600),
    skipConsent: stored.skipConsent !== false,
  };
}

/** How the app authenticates at the token endpoints (docs/wire-contract.md §1.3); unknown values mean post. */
export function tokenEndpointAuthMethod(app: ApplicationRow): TokenEndpointAuthMethod {
  const m = app.token_endpoint_auth_method as TokenEndpointAuthMethod;
  return TOKEN_ENDPOINT_AUTH_METHODS.includes(m) ? m : "client_secret_post";
}

export type ClientAuthEndpoint = "introspection" | "revocation";

/**
 * How the app authenticates at introspection or revocation: the method stored for that endpoint
 * (`introspection_endpoint_auth_method`, `revocation_endpoint_auth_method`), else the token
 * endpoint's (docs/wire-contract.md §1.3).
 */
export function endpointAuthMethod(
  app: ApplicationRow,
  endpoint: ClientAuthEndpoint,
): TokenEndpointAuthMethod {
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(app.config) ?? {};
  } catch {
    // a broken config falls back to the token endpoint's method
  }
  const m = stored[`${endpoint}EndpointAuthMethod`] as TokenEndpointAuthMethod;
  return TOKEN_ENDPOINT_AUTH_METHODS.includes(m) ? m : tokenEndpointAuthMethod(app);
}

/** For the management API (and tests): change how an application authenticates. */
export async function setTokenEndpointAuthMethod(
  repos: Repositories,
  clock: Clock,
  appId: string,
  method: TokenEndpointAuthMethod,
): Promise<boolean> {
  return (await repos.applications.updateApplicationAuthMethod(appId, method, clock.now())) > 0;
}

/** For the management API (and tests): merge fields into an application's stored config. */
export async function updateAppConfig(
  repos: Repositories,
  clock: Clock,
  appId: string,
  patch: Partial<AppConfig>,
): Promise<boolean> {
  const app = await repos.applications.findApplicationById(appId);
  if (!app) return false;
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(app.config) ?? {};
  } catch {
    stored = {};
  }
  const next = { ...stored, ...patch };
  return (await repos.applications.updateApplicationConfig(appId, JSON.stringify(next), clock.now())) > 0;
}
