import type { PoolSettings, UserDto } from "@gatehouse/protocol";
import { ApiError, bilingual } from "../../errors.js";
import { scopeSet } from "./claims.js";
import type { AuthenticatedUser } from "./tokens.js";

/**
 * What an /api/v3 user token may do when its pool binds tokens (`bindUserTokens`,
 * docs/behaviour-and-errors.md §1.8). Off, a token of the pool works through any of the pool's
 * applications and for every self-service call, as with GenAuth.
 */

/**
 * The OIDC scope a self-service call needs: `email` for the email flows, `phone` for the phone
 * flows, `profile` for everything else about the account (OIDC defines no write scopes).
 */
export type ScopeNeed = "profile" | "email" | "phone";

const otherApp = () =>
  new ApiError("TOKEN_INVALID", {
    texts: bilingual("access token 签发给了另一个应用", "Access token was issued to another application"),
  });

/** The application a request names (`x-authing-app-id`), when it names one, must be the token's `aud`. */
function assertSameApplication(user: AuthenticatedUser, namedAppId: string | undefined): void {
  if (namedAppId !== undefined && namedAppId !== user.appId) throw otherApp();
}

function assertScope(user: AuthenticatedUser, need: ScopeNeed): void {
  if (!scopeSet(user.scope).has(need))
    throw new ApiError("TOKEN_SCOPE_INSUFFICIENT", {
      texts: bilingual(
        `此接口需要带有 scope '${need}' 的 access token`,
        `This call needs an access token with scope '${need}'`,
      ),
    });
}

export function assertTokenBinding(
  settings: PoolSettings,
  user: AuthenticatedUser,
  namedAppId: string | undefined,
  need: ScopeNeed,
): void {
  if (!settings.bindUserTokens) return;
  assertSameApplication(user, namedAppId);
  assertScope(user, need);
}

/**
 * get-profile under binding: the address only with its scope (else `null`), like the claims of /oidc/me. The
 * two `…Verified` flags stay: the wire model requires them, and they name no address.
 */
export function profileForScope(dto: UserDto, settings: PoolSettings, scope: string): UserDto {
  if (!settings.bindUserTokens) return dto;
  const scopes = scopeSet(scope);
  const out = { ...dto };
  if (!scopes.has("email")) out.email = null;
  if (!scopes.has("phone")) {
    out.phone = null;
    out.phoneCountryCode = null;
  }
  return out;
}
