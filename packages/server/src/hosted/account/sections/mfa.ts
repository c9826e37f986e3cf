import { ApiError } from "../../../errors.js";
import type { MfaUser } from "../../../services/mfa/index.js";
import { field } from "../forms.js";
import type { AccountScene, AccountSection, ActionInput } from "../types.js";

/**
 * Two-step verification (docs/account-page.md §Two-step verification), through the MFA service the
 * V3 `mfa` endpoints call: enrol TOTP (QR code, the secret as text, confirm with a code, then the
 * recovery code shown once), SMS and email factors, remove one, a new recovery code.
 */
const mfaUser = (scene: AccountScene): MfaUser => scene.who;

/** The base32 secret inside an otpauth:// URI, to show as text for typing into an app. */
function secretOf(uri: string): string {
  try {
    return new URL(uri).searchParams.get("secret") ?? "";
  } catch {
    return "";
  }
}

async function confirm({ ctx, scene, body }: ActionInput, factorType: "OTP" | "SMS" | "EMAIL") {
  const code = field(body.code);
  if (!code) throw new ApiError(factorType === "OTP" ? "MFA_TOTP_WRONG" : "CODE_WRONG");
  await ctx.mfa.enrollFactor(mfaUser(scene), {
    factorType,
    enrollmentToken: field(body.token),
    enrollmentData: { passCode: code },
  });
}

export const mfaSection: AccountSection = {
  id: "mfa",
  sensitive: true,
  async load(ctx, scene) {
    const [enrolled, enrollable] = await Promise.all([
      ctx.mfa.listEnrolledFactors(scene.who),
      ctx.mfa.listFactorsToEnroll(scene.who),
    ]);
    return { enrolled, enrollable: enrollable.map((f) => f.factorType) };
  },
  fieldOf(err) {
    if (err instanceof ApiError && (err.key === "INVALID_PHONE" || err.key === "MFA_PROFILE_REQUIRED"))
      return "mfaTarget";
    return undefined;
  },
  actions: {
    "totp-start": {
      sensitive: true,
      async run({ ctx, scene }) {
        const r = await ctx.mfa.sendEnrollFactorRequest(mfaUser(scene), { factorType: "OTP" });
        const otp = r.otpData;
        if (!otp) throw new ApiError("MFA_FACTOR_UNSUPPORTED");
        return {
          state: {
            totp: { token: r.enrollmentToken, qr: otp.qrCodeDataUrl, secret: secretOf(otp.qrCodeUri) },
          },
        };
      },
    },
    "totp-confirm": {
      sensitive: true,
      // A wrong code keeps the enrolment for another try (within its minute): the form again, with the secret.
      retry: ({ body }) => ({ totp: { token: field(body.token), secret: field(body.secret), qr: "" } }),
      async run(input) {
        await confirm(input, "OTP");
        // The recovery code is made now and shown once, after the factor is in place.
        const { recoveryCode } = await input.ctx.mfa.regenerateRecoveryCode(input.scene.who);
        return { state: { recoveryCode } };
      },
    },
    "code-start": {
      sensitive: true,
      async run({ ctx, scene, body }) {
        const factorType = body.method === "email" ? "EMAIL" : "SMS";
        const target = field(factorType === "SMS" ? body.phone : body.email);
        if (!target) throw new ApiError("MFA_PROFILE_REQUIRED");
        const r = await ctx.mfa.sendEnrollFactorRequest(mfaUser(scene), {
          factorType,
          profile: factorType === "SMS" ? { phoneNumber: target } : { email: target },
        });
        return { state: { pending: { factorType, token: r.enrollmentToken, target }, notice: "codeSent" } };
      },
    },
    "code-confirm": {
      sensitive: true,
      retry: ({ body }) => ({
        pending: {
          factorType: body.method === "email" ? "EMAIL" : "SMS",
          token: field(body.token),
          target: field(body.method === "email" ? body.email : body.phone),
        },
      }),
      async run(input) {
        await confirm(input, input.body.method === "email" ? "EMAIL" : "SMS");
        return { done: "factorAdded" };
      },
    },
    remove: {
      sensitive: true,
      async run({ ctx, scene, body }) {
        await ctx.mfa.resetFactor(mfaUser(scene), field(body.factorId), scene.session.authTime);
        return { done: "factorRemoved" };
      },
    },
    "recovery-new": {
      sensitive: true,
      async run({ ctx, scene }) {
        return { state: { recoveryCode: (await ctx.mfa.regenerateRecoveryCode(scene.who)).recoveryCode } };
      },
    },
  },
};
