import { type TOTP, URI } from "otpauth";
import type { Harness } from "./harness.js";
import { as } from "./profile.js";

/** The pool's enabled factors (and other MFA settings: policy, rememberDeviceDays…), as stored. */
export async function enableFactors(
  h: Harness,
  factors: string[],
  settings: Record<string, unknown> = {},
): Promise<void> {
  await h.ctx.repos.pools.setPoolMfaSettings(
    h.boot.userPoolId,
    JSON.stringify({ enabledFactors: factors, ...settings }),
    h.ctx.clock.now(),
  );
}

/** The code an authenticator app shows at `ms` for the secret in an otpauth URI. */
export function totpAt(uri: string, ms: number): string {
  return (URI.parse(uri) as TOTP).generate({ timestamp: ms });
}

/** Enrols an OTP factor for the user; returns the otpauth URI and the recovery code. */
export async function enrolOtp(h: Harness, token: string): Promise<{ uri: string; recoveryCode: string }> {
  const call = as(h, token);
  const sent = await call("POST", "/api/v3/send-enroll-factor-request", { factorType: "OTP", profile: {} });
  if (sent.statusCode !== 200) throw new Error(`send-enroll-factor-request → ${JSON.stringify(sent)}`);
  const { enrollmentToken, otpData } = sent.data;
  const r = await call("POST", "/api/v3/enroll-factor", {
    factorType: "OTP",
    enrollmentToken,
    enrollmentData: { passCode: totpAt(otpData.qrCodeUri, h.ctx.clock.now()) },
  });
  if (r.statusCode !== 200) throw new Error(`enroll-factor → ${JSON.stringify(r)}`);
  return { uri: otpData.qrCodeUri, recoveryCode: otpData.recoveryCode };
}
