import type { IdentityDto, UserDto } from "@gatehouse/protocol";
import type { IdentityRow } from "../../storage/repos/identities.js";
import type { UserRow } from "../../storage/repos/users.js";
import { splitE164 } from "./phone.js";

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
const opt = (v: string | null) => (v === null ? undefined : v);

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

export interface UserDtoOptions {
  withCustomData?: boolean;
  identities?: IdentityRow[];
  withDepartmentIds?: boolean;
}

/** The one mapping from a stored user to the wire's UserDto (docs/wire-contract.md §3c). */
export function toUserDto(row: UserRow, options: UserDtoOptions = {}): UserDto {
  const phone = row.phone ? splitE164(row.phone) : undefined;
  return {
    userId: row.id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    status: row.status as UserDto["status"],
    workStatus: "Active",
    externalId: opt(row.external_id),
    email: opt(row.email),
    phone: phone?.phone,
    phoneCountryCode: phone?.phoneCountryCode,
    username: opt(row.username),
    name: opt(row.name),
    nickname: opt(row.nickname),
    photo: opt(row.photo),
    loginsCount: row.logins_count,
    lastLogin: iso(row.last_login),
    lastIp: opt(row.last_ip),
    gender: (row.gender as UserDto["gender"]) ?? "U",
    emailVerified: row.email_verified === 1,
    phoneVerified: row.phone_verified === 1,
    passwordLastSetAt: iso(row.password_last_set_at),
    birthdate: opt(row.birthdate),
    country: opt(row.country),
    province: opt(row.province),
    city: opt(row.city),
    address: opt(row.address),
    streetAddress: opt(row.street_address),
    postalCode: opt(row.postal_code),
    company: opt(row.company),
    browser: opt(row.browser),
    device: opt(row.device),
    givenName: opt(row.given_name),
    familyName: opt(row.family_name),
    middleName: opt(row.middle_name),
    profile: opt(row.profile),
    preferredUsername: opt(row.preferred_username),
    website: opt(row.website),
    zoneinfo: opt(row.zoneinfo),
    locale: opt(row.locale),
    formatted: opt(row.formatted),
    region: opt(row.region),
    userSourceType: row.source_type as UserDto["userSourceType"],
    userSourceId: opt(row.source_id),
    lastLoginApp: opt(row.last_login_app),
    passwordSecurityLevel: row.password_security_level ?? undefined,
    resetPasswordOnNextLogin: row.reset_password_on_next_login === 1,
    registerSource: row.register_source ? JSON.parse(row.register_source) : [],
    identityNumber: opt(row.identity_number),
    statusChangedAt: iso(row.status_changed_at),
    signedUp: new Date(row.created_at).toISOString(),
    ...(options.withCustomData ? { customData: row.custom_data ? JSON.parse(row.custom_data) : {} } : {}),
    ...(options.identities ? { identities: options.identities.map(toIdentityDto) } : {}),
    ...(options.withDepartmentIds ? { departmentIds: [] } : {}),
  };
}
