import type { AmrValue } from "../tokens/auth-context.js";
import type { SignInMethod } from "./browser-sessions.js";

/**
 * How the browser proved who it is on the sign-in page when that may already be multi-factor
 * (docs/passkeys.md §MFA). The hosted pages' second-factor step reads `mfaSatisfied` — the one
 * field that says "ask for no second factor" — and never decides that from the method itself.
 */
export interface FirstFactor {
  method: SignInMethod;
  /** RFC 8176 authentication method references. */
  amr: AmrValue[];
  mfaSatisfied: boolean;
}

/**
 * A passkey is a hardware-secured key used with a user gesture (`hwk`, `user`). With user
 * verification (a PIN or biometric unlocked the key) it is possession plus knowledge or
 * inherence: multi-factor (`mfa`), so no second factor is asked afterwards. Without it, it is one
 * factor like a password.
 */
export function passkeyFactor(userVerified: boolean): FirstFactor {
  return userVerified
    ? { method: "passkey", amr: ["hwk", "user", "mfa"], mfaSatisfied: true }
    : { method: "passkey", amr: ["hwk", "user"], mfaSatisfied: false };
}
