import type { CreateUserInfo, PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { hasControlChars } from "../../lib/control-chars.js";
import { newId } from "../../lib/ids.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { NewUserRow, UserRow } from "../../storage/repos/users.js";
import { normalizeEmail } from "./email.js";
import { normalizePhone, phoneNumberType } from "./phone.js";
import { takenMapped } from "./taken.js";

/**
 * The identifier rules — email, phone, username — in one place, for every way a user is
 * written: sign-up, sign-in's auto-registration, create-user, create-users-batch, update-user,
 * `gatehouse user import` and the user's own update-profile. Two copies drifted once (create-user stored usernames with
 * control characters that sign-up refused); the stricter rule is the rule.
 */
export { normalizeEmail };

/**
 * Trimmed; 1-128 characters, none of them a control character (C0, DEL, C1) or a bidi override
 * or isolate: they break logs, CSV and UIs, and a reordered name can pass for another's.
 */
export function normalizeUsername(raw: string): string {
  const username = raw.trim();
  if (username.length === 0 || username.length > 128 || hasControlChars(username)) {
    throw new ApiError("INVALID_REQUEST", { message: "username must be 1-128 printable characters" });
  }
  return username;
}

/**
 * externalId is the administrator's identifier: the key an HR system or a directory links its
 * people by. A user who could set their own would squat the one the HR feed will bring
 * (docs/behaviour-and-errors.md §2.11), so every self-service write of it — update-profile,
 * sign-up's profile, sign-in's options — is refused with a clear error, never ignored silently.
 */
export function assertNoSelfServiceExternalId(fields: unknown): void {
  if (fields && typeof fields === "object" && Object.hasOwn(fields, "externalId")) {
    throw new ApiError("EXTERNAL_ID_ADMIN_ONLY");
  }
}

/** E.164 of a phone given with an optional country code (pool default +86). */
export function normalizePhoneE164(
  phone: string,
  countryCode: string | undefined,
  settings: PoolSettings,
): string {
  return normalizePhone(phone, countryCode, settings.defaultPhoneCountryCode).e164;
}

/**
 * The number types an SMS code may go to: mobiles, and numbers whose plan cannot tell mobile from
 * fixed (the US and Canada, among others). Premium-rate, shared-cost, toll-free, UAN, personal,
 * VoIP, pager, voicemail and fixed lines are refused: they are where SMS pumping sends its
 * messages, and a code cannot be read on most of them (docs/behaviour-and-errors.md §1.6).
 */
const SMS_NUMBER_TYPES: ReadonlySet<string> = new Set(["MOBILE", "FIXED_LINE_OR_MOBILE"]);

/** E.164 of a number an SMS code may be sent to; any other valid number is INVALID_PHONE. */
export function normalizeSmsRecipient(
  phone: string,
  countryCode: string | undefined,
  settings: PoolSettings,
): string {
  const e164 = normalizePhoneE164(phone, countryCode, settings);
  const type = phoneNumberType(e164);
  if (type === undefined || !SMS_NUMBER_TYPES.has(type)) {
    throw new ApiError("INVALID_PHONE", { message: "SMS codes can only be sent to mobile numbers" });
  }
  return e164;
}

/** Identifiers in their stored form (email lower-cased, phone E.164). */
export interface Identifiers {
  email?: string;
  username?: string;
  phone?: string;
  externalId?: string;
}

/** A new user's identifiers (blank ones are absent); at least one of email, username, phone. */
export function normalizeIdentifiers(input: CreateUserInfo, settings: PoolSettings): Identifiers {
  const out: Identifiers = {};
  if (input.email !== undefined && input.email.trim() !== "") out.email = normalizeEmail(input.email);
  if (input.username !== undefined && input.username.trim() !== "")
    out.username = normalizeUsername(input.username);
  if (input.phone !== undefined && input.phone.trim() !== "") {
    out.phone = normalizePhoneE164(input.phone, input.phoneCountryCode, settings);
  }
  if (input.externalId !== undefined) out.externalId = input.externalId;
  if (!out.email && !out.username && !out.phone) throw new ApiError("USER_IDENTIFIER_REQUIRED");
  return out;
}

export type AccountKind = "email" | "username" | "phone" | "account";

/**
 * The user an identifier names, which of the user's identifiers it matched (`via`), and the
 * lockout key for it (the user when found, otherwise the identifier, so unknown accounts are
 * counted and locked the same way).
 */
export async function findUserByIdentifier(
  repos: Repositories,
  poolId: string,
  settings: PoolSettings,
  kind: AccountKind,
  value: string,
): Promise<{ user?: UserRow; via?: "email" | "username" | "phone"; key: string }> {
  const trimmed = value.trim();
  const phone = tryPhone(trimmed, settings);
  const finders = {
    email: () => repos.users.findUserByEmail(poolId, trimmed.toLowerCase()),
    username: () => repos.users.findUserByUsername(poolId, trimmed),
    phone: () => (phone ? repos.users.findUserByPhone(poolId, phone) : Promise.resolve(undefined)),
  };
  // `account` (docs/wire-contract.md §3a): an email looks like one; else a phone number, then a username.
  const order: (keyof typeof finders)[] =
    kind !== "account" ? [kind] : trimmed.includes("@") ? ["email", "username"] : ["phone", "username"];
  for (const via of order) {
    const user = await finders[via]();
    if (user) return { user, via, key: `user:${user.id}` };
  }
  const normalised = kind === "phone" && phone ? phone : trimmed.toLowerCase();
  return { key: `id:${normalised}` };
}

function tryPhone(value: string, settings: PoolSettings): string | undefined {
  if (!/^\+?[\d\s()-]{5,32}$/.test(value)) return undefined;
  try {
    return normalizePhoneE164(value, undefined, settings);
  } catch {
    return undefined;
  }
}

/** A new user row with Gatehouse's defaults; `fields` hold identifiers already normalised. */
export function newUserRow(poolId: string, now: number, fields: Partial<NewUserRow>): NewUserRow {
  return {
    id: newId(),
    pool_id: poolId,
    status: "Activated",
    email_verified: 0,
    phone_verified: 0,
    gender: "U",
    source_type: "register",
    logins_count: 0,
    reset_password_on_next_login: 0,
    created_at: now,
    updated_at: now,
    ...fields,
  };
}

/** Inserts a signing-up user; the database's unique indexes are the final word on duplicates (409/2026). */
export async function insertUser(repos: Repositories, row: NewUserRow): Promise<void> {
  await takenMapped(() => repos.users.insertUser(row), "exists");
}

/** Refuses an identifier some user already has (the insert re-checks, this answers early). */
export async function assertIdentifiersFree(
  repos: Repositories,
  poolId: string,
  ids: { email?: string; username?: string; phone?: string },
): Promise<void> {
  const [byEmail, byUsername, byPhone] = await Promise.all([
    ids.email ? repos.users.findUserByEmail(poolId, ids.email) : undefined,
    ids.username ? repos.users.findUserByUsername(poolId, ids.username) : undefined,
    ids.phone ? repos.users.findUserByPhone(poolId, ids.phone) : undefined,
  ]);
  if (byEmail || byUsername || byPhone) throw new ApiError("USER_EXISTS");
}
