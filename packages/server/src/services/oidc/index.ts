import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Sessions } from "../tokens/sessions.js";
import type { Tokens } from "../tokens/tokens.js";
import { createDiscovery } from "./discovery.js";
import { createEndSession } from "./end-session.js";
import { createGrants, type GrantDeps } from "./grants/index.js";
import { createTokenActions } from "./token-actions.js";
import { createUserInfo, type UserInfoDeps } from "./user-info.js";

/**
 * What the /oidc endpoints ask beyond the token service: the token endpoint's grants, introspection
 * and revocation, UserInfo and logout. Built once, as `ctx.oidc`.
 */
export function createOidc(
  deps: {
    repos: Repositories;
    tokens: Tokens;
    sessions: Sessions;
    clock: Clock;
    issuer: string;
  } & GrantDeps &
    Pick<UserInfoDeps, "roleCodes">,
) {
  return {
    ...createUserInfo(deps),
    ...createEndSession(deps),
    ...createTokenActions(deps),
    ...createDiscovery(deps),
    grants: createGrants(deps),
    clientTokens: deps.clientTokens,
  };
}
export type Oidc = ReturnType<typeof createOidc>;
