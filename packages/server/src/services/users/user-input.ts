import { randomBytes } from "node:crypto";
import {
  type CreateUserInfo,
  type CreateUserOptions,
  type UserProfileField,
  userProfileFields,
} from "@gatehouse/protocol";
import { ApiError, invalidRequest } from "../../errors.js";
import type { NewUserRow } from "../../storage/repos/users.js";
import type { PasswordService } from "../auth/passwords/hashing.js";
import { type Identifiers, newUserRow } from "./identifiers.js";

/**
 * Input of create-user, create-users-batch, update-user and `gatehouse user import` beyond the
 * identifiers (their rules are identifiers.ts's): passwords, profile columns, the new row.
 */

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** A stored hash Gatehouse can verify at sign-in: bcrypt or argon2. */
export function isSupportedPasswordHash(hash: string): boolean {
  return BCRYPT.test(hash) || ARGON2.test(hash);
}

/** snake_case column of each UserDto profile field. */
export const profileColumn: Record<UserProfileField, keyof NewUserRow> = {
  externalId: "external_id",
  name: "name",
  nickname: "nickname",
  photo: "photo",
  birthdate: "birthdate",
  country: "country",
  province: "province",
  city: "city",
  address: "address",
  streetAddress: "street_address",
  postalCode: "postal_code",
  company: "company",
  browser: "browser",
  device: "device",
  givenName: "given_name",
  familyName: "family_name",
  middleName: "middle_name",
  profile: "profile",
  preferredUsername: "preferred_username",
  website: "website",
  zoneinfo: "zoneinfo",
  locale: "locale",
  formatted: "formatted",
  region: "region",
  identityNumber: "identity_number",
};

export interface PreparedPassword {
  hash: string;
  level: number | null;
}

/**
 * The hash to store for a new or changed password: an imported bcrypt/argon2 hash as-is
 * (`keepPassword`), a generated one, or the (RSA-decrypted) plain text hashed with argon2id.
 * Never call inside a transaction.
 */
export async function preparePassword(
  passwords: PasswordService,
  password: string | undefined,
  options: Pick<CreateUserOptions, "keepPassword" | "autoGeneratePassword" | "passwordEncryptType">,
): Promise<PreparedPassword | undefined> {
  if (options.keepPassword && password !== undefined) {
    if (!isSupportedPasswordHash(password)) throw new ApiError("PASSWORD_HASH_INVALID");
    return { hash: password, level: null };
  }
  let plain = password;
  if (plain === undefined && options.autoGeneratePassword) plain = randomBytes(12).toString("base64url");
  if (plain === undefined) return undefined;
  if (password !== undefined) plain = passwords.decrypt(plain, options.passwordEncryptType);
  if (plain.length === 0) throw invalidRequest("password 不能为空", "password must not be empty");
  return { hash: await passwords.hash(plain), level: passwords.securityLevel(plain) };
}

/**
 * The users row for a new user; every row has the same columns (batch inserts need that).
 * `sourceType` is "adminCreated" for the API and "excel" for `gatehouse user import`.
 */
export function userRowFromInput(
  poolId: string,
  input: CreateUserInfo,
  ids: Identifiers,
  password: PreparedPassword | undefined,
  opts: { now: number; sourceType: "adminCreated" | "excel"; resetPasswordOnFirstLogin?: boolean },
): NewUserRow {
  const row = newUserRow(poolId, opts.now, {
    status: input.status ?? "Activated",
    username: ids.username ?? null,
    email: ids.email ?? null,
    email_verified: input.emailVerified ? 1 : 0,
    phone: ids.phone ?? null,
    phone_verified: input.phoneVerified ? 1 : 0,
    password_hash: password?.hash ?? null,
    password_security_level: password?.level ?? null,
    password_last_set_at: password ? opts.now : null,
    gender: input.gender ?? "U",
    custom_data:
      input.customData && Object.keys(input.customData).length > 0 ? JSON.stringify(input.customData) : null,
    source_type: opts.sourceType,
    source_id: null,
    register_source: JSON.stringify([opts.sourceType === "excel" ? "import:manual" : "adminCreated"]),
    logins_count: 0,
    reset_password_on_next_login: opts.resetPasswordOnFirstLogin ? 1 : 0,
    status_changed_at: null,
  });
  for (const field of userProfileFields) {
    const v = field === "externalId" ? ids.externalId : input[field];
    (row as Record<string, unknown>)[profileColumn[field]] = v ?? null;
  }
  return row;
}
