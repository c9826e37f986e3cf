import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  ChangeExtIdpConnAssociationStateRequest,
  ChangeExtIdpConnStateRequest,
  CreateExtIdpConnRequest,
  CreateExtIdpRequest,
  DeleteByIdRequest,
  ExtIdpConnResponse,
  ExtIdpDetailResponse,
  ExtIdpListResponse,
  ExtIdpResponse,
  GetExtIdpQuery,
  LinkIdentityRequest,
  ListExtIdpQuery,
  managementPaths,
  SuccessResponse,
  UnlinkIdentityRequest,
  UpdateExtIdpConnRequest,
  UpdateExtIdpRequest,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { eventOrigin } from "../../http/event-origin.js";
import { managementOf } from "../../http/management-auth.js";

const tags = ["management: identity providers"];

/** External identity providers, their connections and users' identities (docs/social-sign-in.md#managing-connections). */
export function managementExtIdpRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const conns = ctx.identities.connections;
    const pool = (request: Parameters<typeof managementOf>[0]) => managementOf(request).poolId;
    const done = { success: true };

    app.get(
      managementPaths.listExtIdp,
      {
        schema: {
          tags,
          summary: "Identity providers",
          querystring: ListExtIdpQuery,
          response: { 200: ExtIdpListResponse },
        },
      },
      async (request) => ok(request, await conns.list(pool(request), request.query.appId)),
    );
    app.get(
      managementPaths.getExtIdp,
      {
        schema: {
          tags,
          summary: "One identity provider with its connections",
          querystring: GetExtIdpQuery,
          response: { 200: ExtIdpDetailResponse },
        },
      },
      async (request) => ok(request, await conns.get(pool(request), request.query.id)),
    );
    app.post(
      managementPaths.createExtIdp,
      {
        schema: {
          tags,
          summary: "Create an identity provider",
          body: CreateExtIdpRequest,
          response: { 200: ExtIdpResponse },
        },
      },
      async (request) => ok(request, await conns.create(pool(request), request.body)),
    );
    app.post(
      managementPaths.updateExtIdp,
      {
        schema: {
          tags,
          summary: "Rename an identity provider",
          body: UpdateExtIdpRequest,
          response: { 200: ExtIdpResponse },
        },
      },
      async (request) => ok(request, await conns.update(pool(request), request.body)),
    );
    app.post(
      managementPaths.deleteExtIdp,
      {
        schema: {
          tags,
          summary: "Delete an identity provider, its connections and the identities linked through it",
          body: DeleteByIdRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await conns.remove(pool(request), request.body.id);
        return ok(request, done);
      },
    );
    app.post(
      managementPaths.createExtIdpConn,
      {
        schema: {
          tags,
          summary: "Create a connection (its client secret is stored sealed and never shown again)",
          body: CreateExtIdpConnRequest,
          response: { 200: ExtIdpConnResponse },
        },
      },
      async (request) => ok(request, await conns.createConn(pool(request), request.body)),
    );
    app.post(
      managementPaths.updateExtIdpConn,
      {
        schema: {
          tags,
          summary: "Change a connection (fields change key by key)",
          body: UpdateExtIdpConnRequest,
          response: { 200: ExtIdpConnResponse },
        },
      },
      async (request) => ok(request, await conns.updateConn(pool(request), request.body)),
    );
    app.post(
      managementPaths.deleteExtIdpConn,
      {
        schema: {
          tags,
          summary: "Delete a connection",
          body: DeleteByIdRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await conns.removeConn(pool(request), request.body.id);
        return ok(request, done);
      },
    );
    app.post(
      managementPaths.changeExtIdpConnState,
      {
        schema: {
          tags,
          summary: "Enable or disable a connection for applications",
          body: ChangeExtIdpConnStateRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await conns.changeState(pool(request), request.body);
        return ok(request, done);
      },
    );
    app.post(
      managementPaths.changeExtIdpConnAssociationState,
      {
        schema: {
          tags,
          summary: "Associate or dissociate a connection",
          body: ChangeExtIdpConnAssociationStateRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await conns.changeAssociation(pool(request), request.body.id, request.body.association);
        return ok(request, done);
      },
    );
    app.post(
      managementPaths.linkIdentity,
      {
        schema: {
          tags,
          summary: "Link an identity-provider account to a user",
          body: LinkIdentityRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) =>
        ok(request, await ctx.identities.linkIdentity(eventOrigin(request), pool(request), request.body)),
    );
    app.post(
      managementPaths.unlinkIdentity,
      {
        schema: {
          tags,
          summary: "Unlink a user's identities at a provider (never the last way to sign in)",
          body: UnlinkIdentityRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) =>
        ok(request, await ctx.identities.unlinkIdentity(eventOrigin(request), pool(request), request.body)),
    );
  };
}
