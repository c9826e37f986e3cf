import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  authPaths,
  MfaStepEmailBody,
  MfaStepRecoveryBody,
  MfaStepResponse,
  MfaStepSmsBody,
  MfaStepTotpAssociateBody,
  MfaStepTotpAssociateConfirmBody,
  MfaStepTotpAssociateResponse,
  MfaStepTotpBody,
} from "@gatehouse/protocol";
import type { TSchema } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { requestMeta } from "../http/app-scope.js";
import { ok } from "../http/envelope.js";
import { security } from "../http/openapi-security.js";
import type { StepProof } from "../services/auth/mfa-step.js";

const tags = ["mfa"];

/** `Authorization: Bearer <mfaToken>` (or the bare token, as for access tokens). */
export function mfaTokenOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth !== "string") return undefined;
  const token = auth.replace(/^Bearer\s+/i, "").trim();
  return token.length > 0 && token.length <= 2048 ? token : undefined;
}

/**
 * The MFA step of an API sign-in (docs/mfa.md §The API's MFA step), on GenAuth's V2 paths: the
 * MFA token from the 1635/1636 answer and one second factor give the sign-in's tokens.
 */
export function mfaStepRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const complete = (request: FastifyRequest, proof: StepProof) =>
      ctx.auth.mfaStep.complete(mfaTokenOf(request), proof, requestMeta(request));
    const schema = <B extends TSchema>(summary: string, body: B) => ({
      tags,
      summary,
      body,
      security: security.mfaToken,
      response: { 200: MfaStepResponse },
    });

    app.post(
      authPaths.mfaStepTotpVerify,
      { schema: schema("Complete a sign-in with a TOTP code", MfaStepTotpBody) },
      async (request) => ok(request, await complete(request, { kind: "OTP", code: request.body.totp })),
    );
    app.post(
      authPaths.mfaStepSmsVerify,
      {
        schema: schema(
          "Complete a sign-in with an SMS code (CHANNEL_VERIFY_MFA); enrols the phone when the user may",
          MfaStepSmsBody,
        ),
      },
      async (request) => {
        const { phone, code, phoneCountryCode } = request.body;
        return ok(request, await complete(request, { kind: "SMS", code, phone, phoneCountryCode }));
      },
    );
    app.post(
      authPaths.mfaStepEmailVerify,
      {
        schema: schema(
          "Complete a sign-in with an email code (CHANNEL_VERIFY_MFA); enrols the address when the user may",
          MfaStepEmailBody,
        ),
      },
      async (request) => {
        const { email, code } = request.body;
        return ok(request, await complete(request, { kind: "EMAIL", code, email }));
      },
    );
    app.post(
      authPaths.mfaStepTotpAssociate,
      {
        schema: {
          tags,
          summary: "An authenticator to enrol in the step, when the user has no factor and must enrol one",
          body: MfaStepTotpAssociateBody,
          security: security.mfaToken,
          response: { 200: MfaStepTotpAssociateResponse },
        },
      },
      async (request) =>
        ok(request, await ctx.auth.mfaStep.associateTotp(mfaTokenOf(request), requestMeta(request))),
    );
    app.post(
      authPaths.mfaStepTotpAssociateConfirm,
      {
        schema: schema(
          "Enrol the authenticator with its first code; completes the sign-in",
          MfaStepTotpAssociateConfirmBody,
        ),
      },
      async (request) => ok(request, await complete(request, { kind: "OTP_ENROL", code: request.body.totp })),
    );
    app.post(
      authPaths.mfaStepRecovery,
      {
        schema: schema(
          "Complete a sign-in with the recovery code; answers the tokens and the new recovery code",
          MfaStepRecoveryBody,
        ),
      },
      async (request) =>
        ok(request, await complete(request, { kind: "RECOVERY", code: request.body.recoveryCode })),
    );
  };
}
