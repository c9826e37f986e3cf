import type { UserRow } from "../../storage/repos/users.js";
import { photoOf, type UserDtoDefaults } from "../users/dto.js";

/**
 * Scopes Gatehouse grants (anything else requested is dropped) and the user claims each one
 * releases in the ID token and at /oidc/me (OIDC Core §5.4; `username` and `external_id` are GenAuth's).
 */
export const SUPPORTED_SCOPES = [
  "openid",
  "profile",
  "email",
  "phone",
  "address",
  "offline_access",
  "username",
  "external_id",
  "roles",
] as const;

export const DEFAULT_SCOPE = "openid profile";

/** The granted scope for a requested one: known scopes, in request order, once each (default when none). */
export function grantScope(requested: string | undefined): string {
  const out: string[] = [];
  for (const s of (requested ?? "").trim().split(/\s+/)) {
    if ((SUPPORTED_SCOPES as readonly string[]).includes(s) && !out.includes(s)) out.push(s);
  }
  return out.length > 0 ? out.join(" ") : DEFAULT_SCOPE;
}

export const scopeSet = (scope: string) => new Set(scope.split(" ").filter(Boolean));

const PROFILE_CLAIMS = [
  "name",
  "family_name",
  "given_name",
  "middle_name",
  "nickname",
  "preferred_username",
  "profile",
  "picture",
  "website",
  "gender",
  "birthdate",
  "zoneinfo",
  "locale",
  "updated_at",
];

export const SUPPORTED_CLAIMS = [
  "sub",
  ...PROFILE_CLAIMS,
  "email",
  "email_verified",
  "phone_number",
  "phone_number_verified",
  "address",
  "username",
  "external_id",
  "roles",
];

function compact(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== null && v !== undefined));
}

/** Whether `userClaims` shows a pool default for this user and scope (`picture` without a photo). */
export function needsPoolDefaults(user: UserRow, scope: string): boolean {
  return !user.photo && scopeSet(scope).has("profile");
}

/**
 * User claims released by `scope` (without `sub`). `updated_at` is an ISO string, as GenAuth sends
 * it; `picture` falls back to the pool's default avatar like a UserDto's `photo`
 * (docs/wire-contract.md §3c), so `defaults` is needed when `needsPoolDefaults`.
 */
export function userClaims(
  user: UserRow,
  scope: string,
  defaults: UserDtoDefaults | undefined,
): Record<string, unknown> {
  const scopes = scopeSet(scope);
  const claims: Record<string, unknown> = {};
  if (scopes.has("profile")) {
    Object.assign(
      claims,
      compact({
        name: user.name,
        family_name: user.family_name,
        given_name: user.given_name,
        middle_name: user.middle_name,
        nickname: user.nickname,
        preferred_username: user.preferred_username,
        profile: user.profile,
        picture: defaults ? photoOf(user.photo, defaults) : user.photo,
        website: user.website,
        gender: user.gender,
        birthdate: user.birthdate,
        zoneinfo: user.zoneinfo,
        locale: user.locale,
        updated_at: new Date(user.updated_at).toISOString(),
      }),
    );
  }
  if (scopes.has("email") && user.email) {
    claims.email = user.email;
    claims.email_verified = user.email_verified === 1;
  }
  if (scopes.has("phone") && user.phone) {
    claims.phone_number = user.phone;
    claims.phone_number_verified = user.phone_verified === 1;
  }
  if (scopes.has("address")) {
    const address = compact({
      formatted: user.formatted ?? user.address,
      street_address: user.street_address,
      locality: user.city,
      region: user.region ?? user.province,
      postal_code: user.postal_code,
      country: user.country,
    });
    if (Object.keys(address).length > 0) claims.address = address;
  }
  if (scopes.has("username") && user.username) claims.username = user.username;
  if (scopes.has("external_id") && user.external_id) claims.external_id = user.external_id;
  return claims;
}
