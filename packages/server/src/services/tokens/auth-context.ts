/**
 * How a user got in, as the ID token says it (docs/mfa.md §amr and acr): `amr` lists the methods
 * (RFC 8176 names: `pwd`, `otp`, `sms`, `hwk` and `user` for a passkey, plus `email`, and `fed` —
 * as Microsoft's tokens say it — for a sign-in an external identity provider proved), with `mfa`
 * once a second factor was proved, or a passkey was used with user verification
 * (docs/passkeys.md); `acr` is `mfa` then, and absent for a single factor.
 */
export type AmrValue = "pwd" | "otp" | "sms" | "email" | "hwk" | "user" | "fed" | "mfa";

/** The `acr` of a sign-in with two factors, and the value an RP sends in `acr_values` to ask for one. */
export const MFA_ACR = "mfa";
/** `acr_values` that ask for a second factor: ours, and the PAPE multi-factor policy other providers use. */
export const MFA_ACR_VALUES: readonly string[] = [
  MFA_ACR,
  "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
];

/** Whether an authorization request's `acr_values` ask for a second factor. */
export function asksForMfa(acrValues: readonly string[] | undefined): boolean {
  return (acrValues ?? []).some((v) => MFA_ACR_VALUES.includes(v));
}

/** The first factor's amr value, by the hosted pages' sign-in method. */
export function firstFactorAmr(method: string): AmrValue {
  if (method.startsWith("ext-idp:")) return "fed";
  if (method === "passkey") return "hwk";
  return method === "sms" ? "sms" : method === "email" ? "email" : "pwd";
}

/** The amr of a sign-in: its first factor, then the second (when proved) and `mfa`. */
export function amrOf(first: AmrValue, second?: AmrValue): AmrValue[] {
  if (!second) return [first];
  return [...new Set<AmrValue>([first, second]), "mfa"];
}

/** A session's amr raised by a second factor (a step-up): what it had, the second factor, `mfa`. */
export function raisedAmr(had: readonly string[], second: AmrValue): string[] {
  return [...new Set([...had.filter((v) => v !== "mfa"), second]), "mfa"];
}

/** The ID token's `amr` and `acr` for a sign-in's amr (nothing when it is unknown). */
export function authContextClaims(amr: readonly string[] | undefined): { amr?: string[]; acr?: string } {
  if (!amr || amr.length === 0) return {};
  return { amr: [...amr], ...(amr.includes("mfa") ? { acr: MFA_ACR } : {}) };
}

/** amr as the database keeps it: space-separated. */
export const amrText = (amr: readonly string[]): string => amr.join(" ");
export const amrFromText = (text: string | null | undefined): string[] | undefined =>
  text ? text.split(" ").filter(Boolean) : undefined;
