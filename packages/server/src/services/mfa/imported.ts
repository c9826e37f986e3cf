import { Secret } from "otpauth";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { MfaFactorRow } from "../../storage/repos/mfa-factors.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { recoveryHasher } from "./recovery.js";

/** The `otp` of create-user / import: an authenticator secret brought from another system. */
export interface ImportedOtp {
  secret: string;
  recoveryCode?: string;
}

export type ImportOtp = (poolId: string, userId: string, otp: ImportedOtp) => MfaFactorRow;

/**
 * Builds the OTP factor row of an imported user (GenAuth's createUser `otp`): the base32 secret
 * sealed like an enrolled one, the recovery code hashed (docs/mfa.md §Management API).
 */
export function otpImporter({
  box,
  secret,
  clock,
}: {
  box: SecretBox;
  secret: string;
  clock: Clock;
}): ImportOtp {
  const hashRecovery = recoveryHasher(secret);
  return (poolId, userId, otp) => {
    const base32 = otp.secret.replace(/\s+/g, "").toUpperCase();
    if (!/^[A-Z2-7]+=*$/.test(base32) || Secret.fromBase32(base32).bytes.length < 10) {
      throw new ApiError("MFA_OTP_SECRET_INVALID");
    }
    const id = newId();
    const now = clock.now();
    return {
      id,
      pool_id: poolId,
      user_id: userId,
      factor_type: "OTP",
      profile: "{}",
      secret_sealed: box.seal("totp-secret", id, base32),
      recovery_hash: otp.recoveryCode ? hashRecovery(otp.recoveryCode) : null,
      last_step: 0,
      last_verified_at: null,
      created_at: now,
    };
  };
}
