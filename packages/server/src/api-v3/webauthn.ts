import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  authPaths,
  CheckCredentialIdsDto,
  CheckCredentialIdsResponse,
  CredentialIdCarrier,
  CredentialParams,
  FinalizeWebAuthnLoginDto,
  GetAuthenticationOptionsResponse,
  GetRegistrationOptionsResponse,
  PageAuthenticatorDeviceDto,
  PageQuery,
  PasskeyPageResponse,
  PasskeySuccessResponse,
  RemoveByAuthenticatorCodeDto,
  UpdatePasskeyDto,
  VerifyAuthenticationDto,
  VerifyAuthenticationResponse,
  VerifyRegistrationDto,
  VerifyRegistrationResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { missingParam } from "../errors.js";
import { appScopeOf, requestMeta, requireAppScope } from "../http/app-scope.js";
import { ok } from "../http/envelope.js";
import { eventOrigin } from "../http/event-origin.js";
import { acceptEmptyForm } from "../http/json-body.js";
import { security } from "../http/openapi-security.js";
import { requireUser, userOf } from "../http/user-auth.js";
import { isMfaStepTicket } from "../services/passkeys/index.js";
import type { PasskeyOwner } from "../services/passkeys/registration.js";
import { mfaTokenOf } from "./mfa-step.js";

const tags = ["passkeys"];

/** The official SDK sends some paths with the placeholder left in: `{credentialId}`, `{credentialID}`. */
const PLACEHOLDER = /^\{credentialI[dD]\}$/;

/**
 * The credential a path names: its own segment, or — where the SDK left the placeholder in — the
 * `credentialId` (or `credentialID`) of the body or the query (docs/passkeys.md §Endpoints).
 */
function credentialIdOf(
  param: string,
  ...carriers: ({ credentialId?: string; credentialID?: string } | undefined)[]
): string {
  if (!PLACEHOLDER.test(param)) return param;
  for (const c of carriers) {
    const id = c?.credentialId || c?.credentialID;
    if (id) return id;
  }
  throw missingParam("credentialId", "credentialId is required in the body or the query string");
}

/** Passkeys on GenAuth's V3 paths (SDK chapter "WebAuthn"; docs/passkeys.md). */
export function webauthnRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    acceptEmptyForm(app);
    const onRequest = requireUser(ctx, "profile");
    const owner = (request: FastifyRequest): PasskeyOwner => {
      const user = userOf(request);
      return { poolId: user.poolId, userId: user.userId, origin: eventOrigin(request) };
    };
    const success = (request: FastifyRequest) => ok(request, { success: true });
    /**
     * An assertion: a sign-in, or — with a ticket of `mfa-verify/initialize` — the second factor of
     * the API's MFA step, the MFA token in `Authorization` (docs/passkeys.md §MFA).
     */
    const verify = (request: FastifyRequest, input: VerifyAuthenticationDto) =>
      isMfaStepTicket(input.ticket)
        ? ctx.passkeys.finishMfaStep(mfaTokenOf(request), input, requestMeta(request))
        : ctx.passkeys.signIn(appScopeOf(request), input, requestMeta(request));

    // GenAuth has each ceremony under two names: GET/POST of one path, and POST …/initialize,
    // …/finalize (the SDK's webAuthn*Initalize / *Finalize); both answer the same.
    for (const [method, url] of [
      ["GET", authPaths.webauthnRegistration],
      ["POST", authPaths.webauthnRegistrationInitialize],
      // Binding a passkey as a second factor is adding one: the same options.
      ["POST", authPaths.webauthnMfaBindInitialize],
    ] as const) {
      app.route({
        method,
        url,
        onRequest,
        schema: {
          tags,
          summary:
            "Options to create a passkey for the signed-in user, and the ticket to verify it with (5 minutes)",
          response: { 200: GetRegistrationOptionsResponse },
        },
        handler: async (request) => ok(request, await ctx.passkeys.registration.start(owner(request))),
      });
    }

    for (const url of [authPaths.webauthnRegistration, authPaths.webauthnRegistrationFinalize]) {
      app.post(
        url,
        {
          onRequest,
          schema: {
            tags,
            summary: "Verify the authenticator's new credential and keep it as a passkey of the user",
            body: VerifyRegistrationDto,
            response: { 200: VerifyRegistrationResponse },
          },
        },
        async (request) => {
          await ctx.passkeys.registration.finish(owner(request), request.body);
          return ok(request, { verified: true });
        },
      );
    }

    for (const [method, url] of [
      ["GET", authPaths.webauthnAuthentication],
      ["POST", authPaths.webauthnLoginInitialize],
    ] as const) {
      app.route({
        method,
        url,
        preHandler: requireAppScope(ctx),
        schema: {
          tags,
          summary: "Options to sign in with any passkey of the pool (no account typed), and the ticket",
          response: { 200: GetAuthenticationOptionsResponse },
        },
        handler: async (request) => ok(request, await ctx.passkeys.startSignIn(appScopeOf(request).pool.id)),
      });
    }

    app.post(
      authPaths.webauthnAuthentication,
      {
        preHandler: requireAppScope(ctx),
        schema: {
          tags,
          summary:
            "Sign in with a passkey (the same tokens as /api/v3/signin), or, with an MFA step's ticket, finish that step",
          body: VerifyAuthenticationDto,
          response: { 200: VerifyAuthenticationResponse },
        },
      },
      async (request) => ok(request, await verify(request, request.body)),
    );

    app.post(
      authPaths.webauthnMfaVerifyInitialize,
      {
        schema: {
          tags,
          summary:
            "Options to prove the MFA step of a sign-in with one of the user's passkeys, and the ticket (5 minutes)",
          security: security.mfaToken,
          response: { 200: GetAuthenticationOptionsResponse },
        },
      },
      async (request) => ok(request, await ctx.passkeys.startMfaStep(mfaTokenOf(request))),
    );

    app.post(
      authPaths.webauthnLoginFinalize,
      {
        preHandler: requireAppScope(ctx),
        schema: {
          tags,
          summary: "Sign in with a passkey (GenAuth's login/finalize form: `credential`)",
          body: FinalizeWebAuthnLoginDto,
          response: { 200: VerifyAuthenticationResponse },
        },
      },
      async (request) => {
        const { credential, ...rest } = request.body;
        return ok(request, await verify(request, { ...rest, authenticationCredential: credential }));
      },
    );

    app.get(
      authPaths.webauthnCredentials,
      {
        onRequest,
        schema: {
          tags,
          summary: "My passkeys, a page at a time",
          querystring: PageQuery,
          response: { 200: PasskeyPageResponse },
        },
      },
      async (request) => ok(request, await ctx.passkeys.credentials.page(owner(request), request.query)),
    );

    app.post(
      authPaths.webauthnPageAuthenticatorDevice,
      {
        onRequest,
        schema: {
          tags,
          summary: "My passkeys, a page at a time (GenAuth's POST form)",
          body: PageAuthenticatorDeviceDto,
          response: { 200: PasskeyPageResponse },
        },
      },
      async (request) =>
        ok(
          request,
          await ctx.passkeys.credentials.page(owner(request), {
            page: request.body?.page ?? 1,
            limit: request.body?.limit ?? 10,
          }),
        ),
    );

    app.put(
      authPaths.webauthnCredential,
      {
        onRequest,
        schema: {
          tags,
          summary: "Rename a passkey",
          params: CredentialParams,
          body: UpdatePasskeyDto,
          response: { 200: PasskeySuccessResponse },
        },
      },
      async (request) => {
        const id = credentialIdOf(request.params.credentialId, request.body, request.query as object);
        await ctx.passkeys.credentials.rename(owner(request), id, request.body.name);
        return success(request);
      },
    );

    app.delete(
      authPaths.webauthnCredential,
      {
        onRequest,
        schema: {
          tags,
          summary: "Remove a passkey",
          params: CredentialParams,
          querystring: CredentialIdCarrier,
          response: { 200: PasskeySuccessResponse },
        },
      },
      async (request) => {
        const id = credentialIdOf(request.params.credentialId, request.query, request.body as object);
        await ctx.passkeys.credentials.remove(owner(request), id);
        return success(request);
      },
    );

    app.post(
      authPaths.webauthnRemoveCredential,
      {
        onRequest,
        schema: {
          tags,
          summary: "Remove a passkey (GenAuth's POST form)",
          params: CredentialParams,
          querystring: CredentialIdCarrier,
          body: CredentialIdCarrier,
          response: { 200: PasskeySuccessResponse },
        },
      },
      async (request) => {
        const id = credentialIdOf(request.params.credentialId, request.body, request.query);
        await ctx.passkeys.credentials.remove(owner(request), id);
        return success(request);
      },
    );

    app.post(
      authPaths.webauthnRemoveByAuthenticatorCode,
      {
        onRequest,
        schema: {
          tags,
          summary: "Remove every passkey registered with this authenticatorCode (default: other)",
          body: RemoveByAuthenticatorCodeDto,
          response: { 200: PasskeySuccessResponse },
        },
      },
      async (request) => {
        await ctx.passkeys.credentials.removeByCode(
          owner(request),
          request.body?.authenticatorCode ?? "other",
        );
        return success(request);
      },
    );

    app.post(
      authPaths.webauthnCheckValidCredentials,
      {
        onRequest,
        schema: {
          tags,
          summary: "Which of these credential ids are passkeys of the user",
          body: CheckCredentialIdsDto,
          response: { 200: CheckCredentialIdsResponse },
        },
      },
      async (request) => {
        const ids = [...(request.body?.credIds ?? []), ...(request.body?.credentialIds ?? [])];
        return ok(request, await ctx.passkeys.credentials.validCredentialIds(owner(request), ids));
      },
    );
  };
}
