import { OAuthError } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import { userClaims } from "../tokens/claims.js";
import type { Tokens } from "../tokens/tokens.js";

const REFUSAL = {
  expired: "access token expired",
  invalid: "access token invalid",
  machine: "a client-credentials token names no user; UserInfo needs a user's token",
} as const;

export function createUserInfo({ repos, tokens }: { repos: Repositories; tokens: Tokens }) {
  return {
    /** OIDC UserInfo for an access token: its user's claims, filtered by the token's scope. */
    async userInfo(token: string): Promise<Record<string, unknown> & { sub: string }> {
      const check = await tokens.checkAccessToken(token);
      if (!check.ok) {
        throw new OAuthError("invalid_token", REFUSAL[check.reason]);
      }
      const user = await repos.users.findUserById(check.user.poolId, check.user.userId);
      if (!user) throw new OAuthError("invalid_token", "access token invalid");
      return { sub: user.id, ...userClaims(user, check.user.scope) };
    },
  };
}
