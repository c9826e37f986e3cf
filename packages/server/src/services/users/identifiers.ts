import type { CreateUserInfo, PoolSettings } from "@gatehouse/protocol";
import { caseFold } from "unicode-case-folding";
import { ApiError, bilingual } from "../../errors.js";
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: a plain ASCII test
const ASCII = /^[\u0000-\u007f]*$/;
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The key an email or username is compared by (docs/behaviour-and-errors.md §1.9): NFKC, default
 * ignorable code points removed, full Unicode case fold, NFKC again — NFKC_Casefold's steps. Both
 * databases store it in its own column and compare it with `=`, so neither database's `lower()`
 * decides who owns an identifier. Changing this function changes every stored key: it needs a
 * migration that recomputes them.
 */
export function identifierKey(value: string): string {
  const v = value.trim();
  // For ASCII, NFKC changes nothing, nothing is ignorable and the full fold is the ASCII lower case.
  if (ASCII.test(v)) return v.toLowerCase();
  return caseFold(v.normalize("NFKC").replace(DEFAULT_IGNORABLE, "")).normalize("NFKC");
}

/** The identifier columns of a user row or patch, and their key columns. */
interface IdentifierFields {
  username?: string | null;
  email?: string | null;
  username_key?: string | null;
  email_key?: string | null;
}

/**
 * `fields` with the key of each username or email it sets (null clears the key too). Every writer
 * of `users.username` / `users.email` goes through here; the repositories refuse a write that sets
 * one without its key.
 */
export function withIdentifierKeys<T extends IdentifierFields>(fields: T): T {
  const out = { ...fields };
  if (fields.username !== undefined)
    out.username_key = fields.username === null ? null : identifierKey(fields.username);
  if (fields.email !== undefined) out.email_key = fields.email === null ? null : identifierKey(fields.email);
  return out;
}

/**
 * Trimmed and NFC (the same text, composed: how it was typed is what the user sees); 1-128
 * characters, none of them a control character (C0, DEL, C1) or a bidi override or isolate (they
 * break logs, CSV and UIs, and a reordered name can pass for another's), and the character and
 * script rule of assertUsernameCharacters.
 */
export function normalizeUsername(raw: string): string {
  const username = raw.trim().normalize("NFC");
  if (username.length === 0 || username.length > 128 || hasControlChars(username)) {
    throw new ApiError("USERNAME_INVALID", {
      texts: bilingual("用户名须为 1-128 个可打印字符", "username must be 1-128 printable characters"),
    });
  }
  assertUsernameCharacters(username);
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

/**
 * Letters, combining marks, digits and `_ . -`, judged in NFKC form (full-width "ａ" is "a"); no
 * invisible character; the letters of one script, or Latin with Han and Hiragana/Katakana,
 * Bopomofo or Hangul — UTS #39's "highly restrictive" level (docs/behaviour-and-errors.md §1.9).
 * Only new and changed usernames are judged: sign-in looks up whatever it is given.
 */
export function assertUsernameCharacters(username: string): void {
  const nfkc = username.normalize("NFKC");
  if (ASCII.test(nfkc)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(nfkc)) throw usernameCharactersError();
    return;
  }
  if (!/^[\p{L}\p{M}\p{Nd}_.-]+$/u.test(nfkc) || /\p{Default_Ignorable_Code_Point}/u.test(nfkc)) {
    throw usernameCharactersError();
  }
  const scripts = new Set<string>();
  for (const ch of nfkc) {
    if (/[\p{sc=Zyyy}\p{sc=Zinh}]/u.test(ch)) continue; // digits, `_ . -`, combining accents
    const script = scriptOf(ch);
    if (!script) throw usernameCharactersError();
    scripts.add(script);
  }
  if (scripts.size > 1 && !ALLOWED_SCRIPT_MIXES.some((mix) => [...scripts].every((s) => mix.has(s)))) {
    throw new ApiError("USERNAME_INVALID", {
      texts: bilingual(
        `用户名混用了多种文字（${[...scripts].join(", ")}），请只用一种文字，或拉丁字母加中文、日文或韩文`,
        `username mixes letters of several scripts (${[...scripts].join(", ")}); use one script, or Latin with Chinese, Japanese or Korean`,
      ),
    });
  }
}

const usernameCharactersError = () =>
  new ApiError("USERNAME_INVALID", {
    texts: bilingual(
      "用户名只能包含字母、数字、'_'、'.' 和 '-'",
      "username may hold only letters, digits, '_', '.' and '-'",
    ),
  });

/** UTS #39's highly restrictive combinations, by ISO 15924 code. */
const ALLOWED_SCRIPT_MIXES = [
  new Set(["Latn", "Hani", "Hira", "Kana"]),
  new Set(["Latn", "Hani", "Bopo"]),
  new Set(["Latn", "Hani", "Hang"]),
];

/**
 * ISO 15924 codes of Unicode 17's scripts (Common and Inherited aside), tested as `\p{sc=…}`; a
 * code the running Node does not know is skipped, and a letter of no listed script is refused.
 */
const SCRIPTS: [string, RegExp][] = (
  "Latn Hani Hira Kana Hang Bopo Cyrl Grek Arab Hebr Deva Thai Beng Taml Telu Knda Mlym Gujr Guru " +
  "Orya Sinh Mymr Khmr Laoo Tibt Geor Armn Ethi Thaa Syrc Mong Yiii Cher Cans Tfng Nkoo Vaii Adlm " +
  "Aghb Ahom Armi Avst Bali Bamu Bass Batk Bhks Brah Brai Bugi Buhd Cakm Cari Cham Chrs Copt Cpmn " +
  "Cprt Diak Dogr Dsrt Dupl Egyp Elba Elym Glag Gong Gonm Goth Gran Hano Hatr Hluw Hmng Hmnp Hung " +
  "Ital Java Kali Kawi Khar Khoj Kits Kthi Lana Lepc Limb Lina Linb Lisu Lyci Lydi Mahj Maka Mand " +
  "Mani Marc Medf Mend Merc Mero Modi Mroo Mtei Mult Nagm Nand Narb Nbat Newa Nshu Ogam Olck Orkh " +
  "Osge Osma Ougr Palm Pauc Perm Phag Phli Phlp Phnx Plrd Prti Rjng Rohg Runr Samr Sarb Saur Sgnw " +
  "Shaw Shrd Sidd Sind Sogd Sogo Sora Soyo Sund Sylo Tagb Takr Tale Talu Tang Tavt Tglg Tirh Tnsa " +
  "Toto Ugar Vith Wara Wcho Xpeo Xsux Yezi Zanb " +
  // Unicode 16 and 17
  "Gara Gukh Krai Onao Sunu Todr Tutg Berf Chis Sidt Tayo Tols"
)
  .split(" ")
  .flatMap((code): [string, RegExp][] => {
    try {
      return [[code, new RegExp(`^\\p{sc=${code}}$`, "u")]];
    } catch {
      return [];
    }
  });

function scriptOf(ch: string): string | undefined {
  return SCRIPTS.find(([, re]) => re.test(ch))?.[0];
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
    throw new ApiError("INVALID_PHONE", {
      texts: bilingual("短信验证码只能发送到手机号码", "SMS codes can only be sent to mobile numbers"),
    });
  }
  return e164;
}

/** Identifiers in their stored form (email lower-cased, username NFC, phone E.164). */
export interface Identifiers {
  email?: string;
  username?: string;
  phone?: string;
  externalId?: string;
}

/** A new user's identifiers (blank ones are absent); at least one of email, username, phone. */
export function normalizeIdentifiers(input: CreateUserInfo, settings: PoolSettings): Identifiers {
  assertPhoneWithCountryCode(input);
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

/** A country code alone names no phone: GenAuth refuses it (400 "phone cannot be empty"). */
export function assertPhoneWithCountryCode(input: {
  phone?: string | null;
  phoneCountryCode?: string | null;
}): void {
  const hasCode = typeof input.phoneCountryCode === "string" && input.phoneCountryCode.trim() !== "";
  const hasPhone = typeof input.phone === "string" && input.phone.trim() !== "";
  if (hasCode && !hasPhone) throw new ApiError("PHONE_REQUIRED");
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
    email: () => findUserByEmail(repos, poolId, trimmed),
    username: () => findUserByUsername(repos, poolId, trimmed),
    phone: () => (phone ? repos.users.findUserByPhone(poolId, phone) : Promise.resolve(undefined)),
  };
  // `account` (docs/wire-contract.md §3a): an email looks like one; else a phone number, then a username.
  const order: (keyof typeof finders)[] =
    kind !== "account" ? [kind] : trimmed.includes("@") ? ["email", "username"] : ["phone", "username"];
  for (const via of order) {
    const user = await finders[via]();
    if (user) return { user, via, key: `user:${user.id}` };
  }
  const normalised = kind === "phone" && phone ? phone : identifierKey(trimmed);
  return { key: `id:${normalised}` };
}

/** The user whose email has this key (as typed or stored: the key is computed here). */
export function findUserByEmail(repos: Repositories, poolId: string, email: string) {
  return repos.users.findUserByEmailKey(poolId, identifierKey(email));
}

/** The user whose username has this key. */
export function findUserByUsername(repos: Repositories, poolId: string, username: string) {
  return repos.users.findUserByUsernameKey(poolId, identifierKey(username));
}

/**
 * The user whose email is this very address, for proofs by a code sent to it: the key would also
 * match a look-alike address ("straße@…" for "strasse@…"), a mailbox someone else may own, so the
 * stored address must equal the one the code went to (docs/behaviour-and-errors.md §1.9).
 */
export async function findUserByMailbox(
  repos: Repositories,
  poolId: string,
  email: string,
): Promise<UserRow | undefined> {
  const user = await findUserByEmail(repos, poolId, email);
  return user?.email && sameMailbox(user.email, email) ? user : undefined;
}

const mailbox = (email: string) => email.trim().normalize("NFC").toLowerCase();
export const sameMailbox = (a: string, b: string): boolean => mailbox(a) === mailbox(b);

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
    ...withIdentifierKeys(fields),
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
    ids.email ? findUserByEmail(repos, poolId, ids.email) : undefined,
    ids.username ? findUserByUsername(repos, poolId, ids.username) : undefined,
    ids.phone ? repos.users.findUserByPhone(poolId, ids.phone) : undefined,
  ]);
  if (byEmail || byUsername || byPhone) throw new ApiError("USER_EXISTS");
}
