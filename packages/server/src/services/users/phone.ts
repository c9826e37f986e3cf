import { createRequire } from "node:module";
import type { NumberType } from "libphonenumber-js/max";
import { ApiError } from "../../errors.js";

type Parse = typeof import("libphonenumber-js/max").parsePhoneNumberFromString;
let parser: Parse | undefined;
/**
 * libphonenumber with its full metadata (~2.4 MB of heap) is loaded at the first number parsed, not
 * at start: an idle server does not hold it (docs/performance.md §Memory at idle).
 */
function parsePhoneNumberFromString(input: string): ReturnType<Parse> {
  parser ??= (
    createRequire(import.meta.url)("libphonenumber-js/max") as typeof import("libphonenumber-js/max")
  ).parsePhoneNumberFromString;
  return parser(input);
}

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
  const input = trimmed.startsWith("+") ? trimmed : `+${cc}${trimmed.replace(/^0+/, "")}`;
  const known = parsedInputs.get(input);
  if (known) return known;
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed?.isValid()) throw new ApiError("INVALID_PHONE");
  const phone: Phone = Object.freeze({
    e164: parsed.number,
    national: parsed.nationalNumber,
    countryCode: `+${parsed.countryCallingCode}`,
  });
  // The number is about to be stored, masked and messaged: each would parse it again.
  keep(splits, phone.e164, Object.freeze({ phone: phone.national, phoneCountryCode: phone.countryCode }));
  // A number typed once tends to be typed again (the old phone of a change, a code's resend).
  keep(parsedInputs, input, phone);
  return phone;
}

const KEEP = 10_000;
/** Bounded memo (oldest out first): parsing with full metadata costs more than the rest of a request. */
function keep<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= KEEP) memo.delete(memo.keys().next().value as string);
  memo.set(key, value);
}

type Split = Readonly<{ phone: string; phoneCountryCode: string }>;
const splits = new Map<string, Split>();
/** Valid inputs (with their country code prefixed) → their normal form. */
const parsedInputs = new Map<string, Phone>();

/**
 * Splits a stored E.164 number back into UserDto's two fields. Parsing with full metadata is
 * the dearest step of building a UserDto, so recent answers are remembered (bounded).
 */
export function splitE164(e164: string): Split {
  const hit = splits.get(e164);
  if (hit) return hit;
  const parsed = parsePhoneNumberFromString(e164);
  const split = Object.freeze(
    parsed
      ? { phone: parsed.nationalNumber as string, phoneCountryCode: `+${parsed.countryCallingCode}` }
      : { phone: e164, phoneCountryCode: "" },
  );
  keep(splits, e164, split);
  return split;
}

/**
 * libphonenumber's type of a stored E.164 number ("MOBILE", "FIXED_LINE", "PREMIUM_RATE" …), or
 * undefined when the metadata cannot tell. Needs the full ("max") metadata, which this module loads.
 */
export function phoneNumberType(e164: string): NumberType {
  return parsePhoneNumberFromString(e164)?.getType();
}

/** "+86 138****8000": for audit records and notifications. */
export function maskPhone(e164: string): string {
  const { phone, phoneCountryCode } = splitE164(e164);
  if (phone.length <= 4) return `${phoneCountryCode} ****`;
  const keep = Math.min(3, phone.length - 4);
  return `${phoneCountryCode} ${phone.slice(0, keep)}****${phone.slice(-4)}`;
}
