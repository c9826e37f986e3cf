import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";
import type { Emit } from "../events/emit.js";
import type { SecretBox } from "../secrets/secret-box.js";
import type { Sessions } from "../tokens/sessions.js";
import type { Tokens } from "../tokens/tokens.js";
import { createAuthorizationCodes } from "./authorization-codes.js";
import { type AuthorizeDeps, createAuthorize } from "./authorize/flow.js";
import { createBrowserSessions } from "./browser-sessions.js";
import { createDiscovery } from "./discovery.js";
import { createEndSession } from "./end-session.js";
import { createGrants, type GrantDeps } from "./grants/index.js";
import { createInteractions } from "./interactions.js";
import { createLogoutRequests } from "./logout.js";
import { createTokenActions } from "./token-actions.js";
import { createUserInfo, type UserInfoDeps } from "./user-info.js";

export interface OidcDeps extends Omit<GrantDeps, "authorizationCodes"> {
  db: Kysely<Database>;
  repos: Repositories;
  tokens: Tokens;
  sessions: Sessions;
  clock: Clock;
  issuer: string;
  /** Keys the hashes of cookies and codes. */
  secret: string;
  /** Seals what an interaction keeps of an MFA enrolment in progress. */
  box: SecretBox;
  /** The public URL is https: cookies are `Secure`. */
  secureCookies: boolean;
  /** The browser session cookie is `SameSite=None; Secure` (GATEHOUSE_BROWSER_SESSION_CROSS_SITE). */
  crossSiteSessionCookie?: boolean;
  /** Browser session lifetime, seconds. */
  browserSessionTtl: number;
  /** The user's active role codes, for the `roles` scope (docs/authorization.md). */
  roleCodes: UserInfoDeps["roleCodes"];
  /** The pool's defaults for what a user has not set (the `picture` claim). */
  userDefaults: UserInfoDeps["userDefaults"];
  /** The `login` event of an application's sign-in (docs/events.md). */
  emit: Emit;
  /** Application access control (docs/authorization.md §Application access). */
  mayUseApp?: AuthorizeDeps["mayUseApp"];
  /** The MFA policy's say for a single sign-on (docs/mfa.md §Step-up). */
  owesSecondFactor?: AuthorizeDeps["owesSecondFactor"];
}

/**
 * What the /oidc endpoints and the hosted pages ask beyond the token service: the authorization
 * endpoint, the token endpoint's grants, introspection and revocation, UserInfo, logout, browser
 * sessions and interactions (docs/oidc-provider.md, docs/oidc-tokens.md). Built once, as `ctx.oidc`.
 */
export function createOidc(deps: OidcDeps) {
  const browserSessions = createBrowserSessions({
    db: deps.db,
    repos: deps.repos,
    sessions: deps.sessions,
    clock: deps.clock,
    secret: deps.secret,
    secure: deps.secureCookies,
    crossSite: deps.crossSiteSessionCookie ?? false,
    ttl: deps.browserSessionTtl,
  });
  const interactions = createInteractions({
    repos: deps.repos,
    clock: deps.clock,
    browserSessions,
    box: deps.box,
  });
  const logout = createLogoutRequests({ repos: deps.repos, clock: deps.clock, browserSessions });
  const codes = createAuthorizationCodes({ repos: deps.repos, clock: deps.clock, secret: deps.secret });
  return {
    ...createUserInfo(deps),
    ...createEndSession({ ...deps, browserSessions, logout }),
    ...createTokenActions(deps),
    ...createDiscovery(deps),
    grants: createGrants({ ...deps, authorizationCodes: { ...deps, codes } }),
    clientTokens: deps.clientTokens,
    browserSessions,
    interactions,
    logout,
    authorize: createAuthorize({ ...deps, codes, browserSessions, interactions }),
  };
}
export type Oidc = ReturnType<typeof createOidc>;
