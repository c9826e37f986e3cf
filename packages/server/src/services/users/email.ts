import { ApiError } from "../../errors.js";

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/**
 * Trimmed, NFC and lower-cased: the stored form. Two addresses are the same identifier when their
 * keys match (identifierKey in identifiers.ts); INVALID_EMAIL when malformed.
 */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().normalize("NFC").toLowerCase();
  if (!isEmail(email)) throw new ApiError("INVALID_EMAIL");
  return email;
}

/** Whether `raw` is shaped like an email address (the rule normalizeEmail applies). */
export function isEmail(raw: string): boolean {
  const email = raw.trim();
  return email.length <= 254 && EMAIL.test(email);
}

/** "a***@example.com": for logs and notifications. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${email[0]}***${email.slice(at)}`;
}
