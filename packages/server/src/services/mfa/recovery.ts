import { createHmac, randomBytes } from "node:crypto";

/**
 * The one recovery code of an OTP factor, GenAuth's shape `xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`
 * (96 random bits in hex): shown once, stored as an HMAC keyed with the server secret, replaced
 * by a new one each time it is used (docs/mfa.md §Recovery code).
 */
export function newRecoveryCode(): string {
  const hex = randomBytes(12).toString("hex");
  return hex.match(/.{4}/g)?.join("-") ?? hex;
}

export function recoveryHasher(secret: string) {
  return (code: string) =>
    createHmac("sha256", secret).update(`mfa-recovery:${code.trim().toLowerCase()}`).digest("hex");
}
