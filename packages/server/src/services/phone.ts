import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { ApiError } from "../http/api-error.js";

export interface Phone {
  /** +8613800138000 — what is stored. */
  e164: string;
  /** 13800138000 — UserDto.phone. */
  national: string;
  /** +86 — UserDto.phoneCountryCode. */
  countryCode: string;
}

/**
 * Validates and normalises a phone number. `countryCode` ("+86", "86") applies when the number
 * has no "+" prefix; otherwise the pool default does (GenAuth defaults to +86).
 */
export function normalizePhone(number: string, countryCode: string | undefined, poolDefault: string): Phone {
  const trimmed = number.trim();
  const cc = (countryCode?.trim() || poolDefault).replace(/^\+/, "");
  if (!/^\d{1,4}$/.test(cc) || trimmed.length > 32) throw new ApiError("INVALID_PHONE");
  const parsed = parsePhoneNumberFromString(
    trimmed.startsWith("+") ? trimmed : `+${cc}${trimmed.replace(/^0+/, "")}`,
  );
  if (!parsed?.isValid()) throw new ApiError("INVALID_PHONE");
  return {
    e164: parsed.number,
    national: parsed.nationalNumber,
    countryCode: `+${parsed.countryCallingCode}`,
  };
}

/** Splits a stored E.164 number back into UserDto's two fields. */
export function splitE164(e164: string): { phone: string; phoneCountryCode: string } {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return { phone: e164, phoneCountryCode: "" };
  return { phone: parsed.nationalNumber, phoneCountryCode: `+${parsed.countryCallingCode}` };
}

/** "+86 138****8000": for audit records and notifications. */
export function maskPhone(e164: string): string {
  const { phone, phoneCountryCode } = splitE164(e164);
  if (phone.length <= 4) return `${phoneCountryCode} ****`;
  const keep = Math.min(3, phone.length - 4);
  return `${phoneCountryCode} ${phone.slice(0, keep)}****${phone.slice(-4)}`;
}
