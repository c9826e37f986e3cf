import { OAuthError } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import { needsPoolDefaults, scopeSet, userClaims } from "../tokens/claims.js";
import type { Tokens } from "../tokens/tokens.js";
import type { UserDtoDefaults } from "../users/dto.js";

const REFUSAL = {
  expired: "access token expired",
  invalid: "access token invalid",
  machine: "a client-credentials token names no user; UserInfo needs a user's token",
} as const;

export interface UserInfoDeps {
  repos: Repositories;
  tokens: Tokens;
  /** The user's active role codes, for the `roles` scope (docs/authorization.md §Tokens). */
  roleCodes?: (poolId: string, userId: string) => Promise<string[]>;
  /** What a pool shows for what a user has not set (the `picture` claim's default avatar). */
  userDefaults: (poolId: string) => Promise<UserDtoDefaults>;
}

export function createUserInfo({ repos, tokens, roleCodes, userDefaults }: UserInfoDeps) {
  return {
    /** OIDC UserInfo for an access token: its user's claims, filtered by the token's scope. */
    async userInfo(token: string): Promise<Record<string, unknown> & { sub: string }> {
      const check = await tokens.checkAccessToken(token);
      if (!check.ok) {
        throw new OAuthError("invalid_token", REFUSAL[check.reason]);
      }
      const user = await repos.users.findUserById(check.user.poolId, check.user.userId);
      if (!user) throw new OAuthError("invalid_token", "access token invalid");
      const roles =
        roleCodes && scopeSet(check.user.scope).has("roles")
          ? { roles: await roleCodes(user.pool_id, user.id) }
          : {};
      const scope = check.user.scope;
      const defaults = needsPoolDefaults(user, scope) ? await userDefaults(user.pool_id) : undefined;
      return { sub: user.id, ...userClaims(user, scope, defaults), ...roles };
    },
  };
}
