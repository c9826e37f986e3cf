import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  authPaths,
  EnabledExtIdpsResponse,
  GenerateLinkExtIdpUrlQuery,
  GenerateLinkExtIdpUrlResponse,
  GetIdentitiesResponse,
  SuccessResponse,
  UnlinkExtIdpRequest,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { appScopeOf, requireAppScope } from "../http/app-scope.js";
import { ok } from "../http/envelope.js";
import { eventOrigin } from "../http/event-origin.js";
import { security } from "../http/openapi-security.js";
import { requireUser, userOf } from "../http/user-auth.js";

const tags = ["account binding"];

/** The user's own account binding: external identity providers (docs/social-sign-in.md#account-binding). */
export function extIdpRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const ids = ctx.identities;

    app.get(
      authPaths.getApplicationEnabledExtIdps,
      {
        schema: {
          tags,
          summary: "The identity-provider connections enabled for the application",
          response: { 200: EnabledExtIdpsResponse },
        },
        preHandler: requireAppScope(ctx),
      },
      async (request) => {
        const scope = appScopeOf(request);
        const enabled = await ids.roundTrips.enabledFor(scope.pool.id, scope.app.id);
        return ok(
          request,
          enabled.map(({ connId: _connId, ...info }) => info),
        );
      },
    );

    app.get(
      authPaths.generateLinkExtIdpUrl,
      {
        schema: {
          tags,
          summary: "A URL that links an identity-provider account to the user the ID token names",
          // The user is proven by the `id_token` of the query, checked by the service.
          security: security.public,
          querystring: GenerateLinkExtIdpUrlQuery,
          response: { 200: GenerateLinkExtIdpUrlResponse },
        },
      },
      async (request) => ok(request, await ids.generateLinkUrl(request.query)),
    );

    app.post(
      authPaths.unlinkExtIdp,
      {
        schema: {
          tags,
          summary: "Unlink my identities at an identity provider (never my last way to sign in)",
          body: UnlinkExtIdpRequest,
          response: { 200: SuccessResponse },
        },
        preHandler: requireUser(ctx, "profile"),
      },
      async (request) => {
        const user = userOf(request);
        await ids.unlinkMine(eventOrigin(request), user.poolId, user.userId, request.body.extIdpId);
        return ok(request, { success: true });
      },
    );

    app.get(
      authPaths.getIdentities,
      {
        schema: { tags, summary: "My linked identities", response: { 200: GetIdentitiesResponse } },
        preHandler: requireUser(ctx, "profile"),
      },
      async (request) => ok(request, await ids.identitiesOf(userOf(request).userId)),
    );
  };
}
