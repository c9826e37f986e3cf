import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  AdminCredentialCarrier,
  AdminCredentialParams,
  authPaths,
  CredentialIdCarrier,
  CredentialParams,
  GetRegistrationOptionsResponse,
  PasskeyPageResponse,
  PasskeySuccessResponse,
  PersonCredentialsQuery,
  UpdatePasskeyDto,
  VerifyRegistrationDto,
  VerifyRegistrationResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ApiError, missingParam } from "../errors.js";
import { ok } from "../http/envelope.js";
import { eventOrigin } from "../http/event-origin.js";
import { acceptEmptyForm } from "../http/json-body.js";
import { requireUser, userOf } from "../http/user-auth.js";
import type { PasskeyOwner } from "../services/passkeys/registration.js";

const tags = ["passkeys"];

/** A path segment the SDK left as its `{name}` placeholder. */
const placeholder = (segment: string) => /^\{[A-Za-z]+\}$/.test(segment);

/** The first real value: the path's segment, else the query's or the body's field. */
function pick(segment: string, ...values: (string | undefined)[]): string | undefined {
  if (!placeholder(segment)) return segment;
  return values.find((v) => v !== undefined && v !== "");
}

/**
 * The SDK's "admin" passkey names (`webAuthnAdminInitialize`, `webAuthnAdminRegisterFinalize`,
 * `updateWebAuthnAdminCredential`, `deleteWebAuthnAdminCredential`, `listWebAuthnPersonCredentials`;
 * docs/passkeys.md §The admin names). They are on the AuthenticationClient, which carries a user's
 * access token: a user token manages that user's passkeys and no one else's — a `userId` naming
 * another user is PASSKEY_OTHER_USER (403). Managing other users is the administrator's, through the
 * Management API's access keys, never through a user token.
 */
export function webauthnAdminRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    acceptEmptyForm(app);
    const onRequest = requireUser(ctx, "profile");
    const success = (request: FastifyRequest) => ok(request, { success: true });

    /** The caller's own passkeys; a named user must be the caller, a named application one of its pool. */
    async function ownerOf(request: FastifyRequest, userId?: string, appId?: string): Promise<PasskeyOwner> {
      const user = userOf(request);
      if (userId !== undefined && userId !== user.userId) throw new ApiError("PASSKEY_OTHER_USER");
      if (appId !== undefined && appId !== user.appId && !(await ctx.auth.isAppOfPool(appId, user.poolId)))
        throw new ApiError("APP_NOT_FOUND");
      return { poolId: user.poolId, userId: user.userId, origin: eventOrigin(request) };
    }

    app.post(
      authPaths.webauthnAdminInitialize,
      {
        onRequest,
        schema: {
          tags,
          summary: "Options to create a passkey for the caller (the admin name of registration/initialize)",
          response: { 200: GetRegistrationOptionsResponse },
        },
      },
      async (request) => ok(request, await ctx.passkeys.registration.start(await ownerOf(request))),
    );

    app.post(
      authPaths.webauthnAdminRegistrationFinalize,
      {
        onRequest,
        schema: {
          tags,
          summary:
            "Keep the authenticator's new credential (the admin name of registration/finalize; the SDK sends no body: a 400 naming the ticket)",
          body: VerifyRegistrationDto,
          response: { 200: VerifyRegistrationResponse },
        },
        // No body at all (the SDK's call): say what is missing before validation says "not an object".
        preValidation: async (request) => {
          if (request.body === undefined || request.body === null)
            throw missingParam("ticket", "ticket and registrationCredential are required in the body");
        },
      },
      async (request) => {
        await ctx.passkeys.registration.finish(await ownerOf(request), request.body);
        return ok(request, { verified: true });
      },
    );

    app.put(
      authPaths.webauthnAdminCredential,
      {
        onRequest,
        schema: {
          tags,
          summary: "Rename one of the caller's passkeys",
          params: CredentialParams,
          querystring: CredentialIdCarrier,
          body: UpdatePasskeyDto,
          response: { 200: PasskeySuccessResponse },
        },
      },
      async (request) => {
        const { body, query } = request;
        const id = pick(
          request.params.credentialId,
          body.credentialId,
          body.credentialID,
          query.credentialId,
          query.credentialID,
        );
        if (!id)
          throw missingParam("credentialId", "credentialId is required in the body or the query string");
        await ctx.passkeys.credentials.rename(await ownerOf(request), id, body.name);
        return success(request);
      },
    );

    app.delete(
      authPaths.webauthnAdminCredentialOfUser,
      {
        onRequest,
        schema: {
          tags,
          summary: "Remove one of the caller's passkeys (userId, when given, must be the caller)",
          params: AdminCredentialParams,
          querystring: AdminCredentialCarrier,
          response: { 200: PasskeySuccessResponse },
        },
      },
      async (request) => {
        const { params, query } = request;
        const body = (request.body ?? {}) as { credentialId?: unknown; userId?: unknown; appId?: unknown };
        const str = (v: unknown) => (typeof v === "string" ? v : undefined);
        const id = pick(params.credentialId, query.credentialId, query.credentialID, str(body.credentialId));
        if (!id)
          throw missingParam("credentialId", "credentialId is required in the body or the query string");
        const owner = await ownerOf(
          request,
          pick(params.userId, query.userId, str(body.userId)),
          pick(params.appId, query.appId, str(body.appId)),
        );
        await ctx.passkeys.credentials.remove(owner, id);
        return success(request);
      },
    );

    app.get(
      authPaths.webauthnPersonCredentials,
      {
        onRequest,
        schema: {
          tags,
          summary: "A user's passkeys, a page at a time (the caller's own: userId must be the caller)",
          querystring: PersonCredentialsQuery,
          response: { 200: PasskeyPageResponse },
        },
      },
      async (request) => {
        const { userId, appId, page, limit } = request.query;
        const owner = await ownerOf(request, userId, appId);
        return ok(request, await ctx.passkeys.credentials.page(owner, { page, limit }));
      },
    );
  };
}
