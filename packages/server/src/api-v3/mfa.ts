import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  authPaths,
  CommonResponse,
  EnrollFactorDto,
  FactorListResponse,
  FactorResponse,
  FactorsToEnrollResponse,
  GetFactorQuery,
  MfaOtpVerityDto,
  MfaOtpVerityResponse,
  ResetFactorDto,
  SendEnrollFactorRequestDto,
  SendEnrollFactorRequestResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ok } from "../http/envelope.js";
import { requireUser } from "../http/user-auth.js";
import type { MfaUser } from "../services/mfa/index.js";
import { selfServiceOf } from "./profile.js";

const tags = ["mfa"];

/** The signed-in user's second factors (docs/mfa.md §Factors; SDK chapter "MFA"). */
export function mfaRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireUser(ctx, "profile");
    const who = async (request: FastifyRequest): Promise<MfaUser> => selfServiceOf(ctx, request);

    app.post(
      authPaths.sendEnrollFactorRequest,
      {
        onRequest,
        schema: {
          tags,
          summary: "Start enrolling a factor: OTP returns the secret's QR code; SMS/EMAIL send a code",
          body: SendEnrollFactorRequestDto,
          response: { 200: SendEnrollFactorRequestResponse },
        },
      },
      async (request) => ok(request, await ctx.mfa.sendEnrollFactorRequest(await who(request), request.body)),
    );

    app.post(
      authPaths.enrollFactor,
      {
        onRequest,
        schema: {
          tags,
          summary: "Finish enrolling: the code proves the factor",
          body: EnrollFactorDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.mfa.enrollFactor(await who(request), request.body);
        return ok(request);
      },
    );

    app.get(
      authPaths.listEnrolledFactors,
      { onRequest, schema: { tags, summary: "The user's factors", response: { 200: FactorListResponse } } },
      async (request) => ok(request, await ctx.mfa.listEnrolledFactors(await who(request))),
    );

    app.get(
      authPaths.getFactor,
      {
        onRequest,
        schema: {
          tags,
          summary: "One factor",
          querystring: GetFactorQuery,
          response: { 200: FactorResponse },
        },
      },
      async (request) => ok(request, await ctx.mfa.getFactor(await who(request), request.query.factorId)),
    );

    app.get(
      authPaths.listFactorsToEnroll,
      {
        onRequest,
        schema: {
          tags,
          summary: "Factors the pool enables and the user has not enrolled",
          response: { 200: FactorsToEnrollResponse },
        },
      },
      async (request) => ok(request, await ctx.mfa.listFactorsToEnroll(await who(request))),
    );

    app.post(
      authPaths.resetFactor,
      {
        onRequest,
        schema: {
          tags,
          summary: "Remove a factor (after a second factor or a sign-in within five minutes)",
          body: ResetFactorDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.mfa.resetFactor(await who(request), request.body.factorId);
        return ok(request);
      },
    );

    app.post(
      authPaths.mfaTotpVerify,
      {
        onRequest,
        schema: {
          tags,
          summary: "Check a TOTP code of the user's OTP factor (each code once)",
          body: MfaOtpVerityDto,
          response: { 200: MfaOtpVerityResponse },
        },
      },
      async (request) => ok(request, await ctx.mfa.totpVerify(await who(request), request.body.totp)),
    );
  };
}
