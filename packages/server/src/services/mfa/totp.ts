import { Secret, TOTP } from "otpauth";

/**
 * RFC 6238 TOTP as every authenticator app reads it (docs/mfa.md §TOTP): SHA-1, 6 digits, 30 s,
 * a 20-byte secret, and a window of one step either side for clock drift.
 */
export const TOTP_PERIOD_S = 30;
const WINDOW = 1;

function totpOf(secretBase32: string, issuer = "", label = "") {
  return new TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** `otpauth://totp/<issuer>:<account>?secret=…&issuer=<issuer>…`, what the QR code carries. */
export function totpUri(secretBase32: string, issuer: string, account: string): string {
  return totpOf(secretBase32, issuer, account).toString();
}

/** The time step a code was made for, when it is right within the window; undefined otherwise. */
export function totpStepOf(secretBase32: string, code: string, nowMs: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  // The static form: no TOTP object (issuer, label) per check, only the secret's bytes.
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    algorithm: "SHA1",
    digits: 6,
    period: TOTP_PERIOD_S,
    timestamp: nowMs,
    window: WINDOW,
  });
  if (delta === null) return undefined;
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S) + delta;
}
