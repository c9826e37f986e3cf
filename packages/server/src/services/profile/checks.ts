import { ApiError } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import { normalizeEmail } from "../users/email.js";
import { normalizePhone, splitE164 } from "../users/phone.js";

/**
 * The rules of the user-information flows, one small named check each (docs/architecture.md, habit 4).
 * Numbers: docs/behaviour-and-errors.md §3.5.
 */

/** Change phone is for users who have one; the others bind (422). */
export function assertUserHasPhone(user: UserRow): string {
  if (!user.phone) throw new ApiError("NO_PHONE_BOUND");
  return user.phone;
}

export function assertUserHasEmail(user: UserRow): string {
  if (!user.email) throw new ApiError("NO_EMAIL_BOUND");
  return user.email;
}

/** Bind is for users who have none; the others change (422/2035). */
export function assertNoPhoneBound(user: UserRow): void {
  if (user.phone) throw new ApiError("PHONE_ALREADY_BOUND");
}

export function assertNoEmailBound(user: UserRow): void {
  if (user.email) throw new ApiError("EMAIL_ALREADY_BOUND");
}

export function assertNewPhoneDiffers(current: string, next: string): void {
  if (current === next) throw new ApiError("PHONE_SAME_AS_CURRENT");
}

export function assertNewEmailDiffers(current: string, next: string): void {
  if (current.toLowerCase() === next.toLowerCase()) throw new ApiError("EMAIL_SAME_AS_CURRENT");
}

/** verifyOldPhone on: both halves of the old pair are required (400/2228). */
export function assertOldPhonePairPresent(p: { oldPhoneNumber?: string; oldPhonePassCode?: string }): {
  number: string;
  code: string;
} {
  if (!p.oldPhoneNumber || !p.oldPhonePassCode) throw new ApiError("OLD_PHONE_REQUIRED");
  return { number: p.oldPhoneNumber, code: p.oldPhonePassCode };
}

export function assertOldEmailPairPresent(p: { oldEmail?: string; oldEmailPassCode?: string }): {
  email: string;
  code: string;
} {
  if (!p.oldEmail || !p.oldEmailPassCode) throw new ApiError("OLD_EMAIL_REQUIRED");
  return { email: p.oldEmail, code: p.oldEmailPassCode };
}

/**
 * The old number given must be the user's current one (400/2038). Without a country code it is
 * read in the country of the user's current number; a number that does not parse cannot match.
 * (A current number that did not parse either would have no country: any number given then fails
 * to parse or differs, so no default country is needed.)
 */
export function assertOldPhoneMatches(
  current: string,
  number: string,
  countryCode: string | undefined,
): void {
  let given: string;
  try {
    given = normalizePhone(number, countryCode, splitE164(current).phoneCountryCode).e164;
  } catch {
    throw new ApiError("OLD_PHONE_MISMATCH");
  }
  if (given !== current) throw new ApiError("OLD_PHONE_MISMATCH");
}

export function assertOldEmailMatches(current: string, email: string): void {
  let given: string;
  try {
    given = normalizeEmail(email);
  } catch {
    throw new ApiError("OLD_EMAIL_MISMATCH");
  }
  if (given !== current.toLowerCase()) throw new ApiError("OLD_EMAIL_MISMATCH");
}

/** Ways to sign in that remain without `dropping` (422/2217 when none). */
export async function assertAnotherSignInMethod(
  repos: Repositories,
  user: UserRow,
  dropping: "phone" | "email",
): Promise<void> {
  const byUsername = user.username !== null && user.password_hash !== null;
  const other = dropping === "phone" ? user.email !== null : user.phone !== null;
  if (other || byUsername) return;
  const identities = await repos.identities.listIdentitiesByUser(user.id);
  if (identities.length === 0) throw new ApiError("LAST_LOGIN_METHOD");
}
