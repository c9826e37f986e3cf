import { assetPaths, type IdentityDto, type PoolSettings, type UserDto } from "@gatehouse/protocol";
import type { IdentityRow } from "../../storage/repos/identities.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import { splitE164 } from "./phone.js";
import { defaultPoolSettings, parsePoolSettings } from "./pool-settings.js";

/** Unknown values are `null` on the wire, like GenAuth's (docs/wire-contract.md §3c). */
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toIdentityDto(row: IdentityRow): IdentityDto {
  return {
    identityId: row.id,
    extIdpId: row.ext_idp_id,
    provider: row.provider,
    type: row.type,
    userIdInIdp: row.user_id_in_idp,
    userInfoInIdp: row.user_info ? JSON.parse(row.user_info) : undefined,
    originConnIds: JSON.parse(row.origin_conn_ids),
  };
}

/** What a pool shows for values a user has not set: today the avatar. */
export interface UserDtoDefaults {
  photo: string;
}

/** The pool's `defaultAvatar`, or the image Gatehouse serves itself when the pool names none. */
export function userDtoDefaults(
  settings: Pick<PoolSettings, "defaultAvatar">,
  publicUrl: string,
): UserDtoDefaults {
  return { photo: settings.defaultAvatar || `${publicUrl}${assetPaths.defaultAvatar}` };
}

/** The photo a user shows, in a UserDto and in the OIDC `picture` claim alike: their own, else the pool's. */
export function photoOf(photo: string | null, defaults: UserDtoDefaults): string {
  return photo || defaults.photo;
}

/** The defaults of a pool read by id, for callers that hold a user but not their pool's settings. */
export function poolUserDefaults(repos: Repositories, publicUrl: string) {
  return async (poolId: string): Promise<UserDtoDefaults> => {
    const pool = await repos.pools.findPoolById(poolId);
    return userDtoDefaults(pool ? parsePoolSettings(pool.settings) : defaultPoolSettings(), publicUrl);
  };
}

export interface UserDtoOptions {
  withCustomData?: boolean;
  identities?: IdentityRow[];
  withDepartmentIds?: boolean;
}

/**
 * The one mapping from a stored user to the wire's UserDto (docs/wire-contract.md §3c): every
 * field the SDK models is present, `null` when unknown; `photo` falls back to the pool's default.
 */
export function toUserDto(row: UserRow, defaults: UserDtoDefaults, options: UserDtoOptions = {}): UserDto {
  const phone = row.phone ? splitE164(row.phone) : undefined;
  return {
    userId: row.id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    status: row.status as UserDto["status"],
    workStatus: "Active",
    externalId: row.external_id,
    email: row.email,
    phone: phone?.phone ?? null,
    phoneCountryCode: phone?.phoneCountryCode ?? null,
    username: row.username,
    name: row.name,
    nickname: row.nickname,
    photo: photoOf(row.photo, defaults),
    loginsCount: row.logins_count,
    lastLogin: iso(row.last_login),
    lastIp: row.last_ip,
    gender: (row.gender as UserDto["gender"]) ?? "U",
    emailVerified: row.email_verified === 1,
    phoneVerified: row.phone_verified === 1,
    passwordLastSetAt: iso(row.password_last_set_at),
    birthdate: row.birthdate,
    country: row.country,
    province: row.province,
    city: row.city,
    address: row.address,
    streetAddress: row.street_address,
    postalCode: row.postal_code,
    company: row.company,
    browser: row.browser,
    device: row.device,
    givenName: row.given_name,
    familyName: row.family_name,
    middleName: row.middle_name,
    profile: row.profile,
    preferredUsername: row.preferred_username,
    website: row.website,
    zoneinfo: row.zoneinfo,
    locale: row.locale,
    formatted: row.formatted,
    region: row.region,
    userSourceType: row.source_type as UserDto["userSourceType"],
    userSourceId: row.source_id,
    lastLoginApp: row.last_login_app,
    mainDepartmentId: null,
    lastMfaTime: null,
    passwordSecurityLevel: row.password_security_level,
    resetPasswordOnNextLogin: row.reset_password_on_next_login === 1,
    registerSource: row.register_source ? JSON.parse(row.register_source) : [],
    identityNumber: row.identity_number,
    statusChangedAt: iso(row.status_changed_at),
    tenantId: null,
    signedUp: new Date(row.created_at).toISOString(),
    ...(options.withCustomData ? { customData: row.custom_data ? JSON.parse(row.custom_data) : {} } : {}),
    ...(options.identities ? { identities: options.identities.map(toIdentityDto) } : {}),
    ...(options.withDepartmentIds ? { departmentIds: [] } : {}),
  };
}
