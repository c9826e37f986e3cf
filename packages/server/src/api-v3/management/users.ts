import {
  CreateUserRequest,
  CreateUsersBatchRequest,
  DeleteUsersBatchRequest,
  GetUserBatchQuery,
  GetUserQuery,
  IdentityListResponse,
  IsUserExistsRequest,
  IsUserExistsResponse,
  ListUsersLegacyQuery,
  ListUsersRequest,
  managementPaths,
  SuccessResponse,
  UpdateUserRequest,
  UserIdQuery,
  UserListResponse,
  UserPageResponse,
  UserResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { eventOrigin } from "../../http/event-origin.js";
import { managementOf } from "../../http/management-auth.js";

const tags = ["management: users"];

/** Management API, users (docs/wire-contract.md §4). Every call is scoped to the caller's pool. */
export function managementUserRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const users = ctx.admin.users;

    app.post<{ Body: CreateUserRequest }>(
      managementPaths.createUser,
      {
        schema: { tags, summary: "Create a user", body: CreateUserRequest, response: { 200: UserResponse } },
      },
      async (request) => {
        const { options, ...input } = request.body;
        return ok(
          request,
          await users.create(managementOf(request).poolId, eventOrigin(request), input, options),
        );
      },
    );

    app.post<{ Body: CreateUsersBatchRequest }>(
      managementPaths.createUsersBatch,
      {
        schema: {
          tags,
          summary: "Create up to 50 users, all or none",
          body: CreateUsersBatchRequest,
          response: { 200: UserListResponse },
        },
      },
      async (request) =>
        ok(
          request,
          await users.createBatch(
            managementOf(request).poolId,
            eventOrigin(request),
            request.body.list,
            request.body.options,
          ),
        ),
    );

    app.get<{ Querystring: GetUserQuery }>(
      managementPaths.getUser,
      { schema: { tags, summary: "Get a user", querystring: GetUserQuery, response: { 200: UserResponse } } },
      async (request) => ok(request, await users.get(managementOf(request).poolId, request.query)),
    );

    app.get<{ Querystring: GetUserBatchQuery }>(
      managementPaths.getUserBatch,
      {
        schema: {
          tags,
          summary: "Get up to 80 users",
          querystring: GetUserBatchQuery,
          response: { 200: UserListResponse },
        },
      },
      async (request) => ok(request, await users.getBatch(managementOf(request).poolId, request.query)),
    );

    app.post<{ Body: ListUsersRequest }>(
      managementPaths.listUsers,
      {
        schema: {
          tags,
          summary: "Search users: keywords, advanced filters, sort, pages of up to 50",
          body: ListUsersRequest,
          response: { 200: UserPageResponse },
        },
      },
      async (request) => ok(request, await users.list(managementOf(request).poolId, request.body)),
    );

    app.get<{ Querystring: ListUsersLegacyQuery }>(
      managementPaths.listUsers,
      {
        schema: {
          tags,
          summary: "List users (legacy GET form)",
          querystring: ListUsersLegacyQuery,
          response: { 200: UserPageResponse },
        },
      },
      async (request) => ok(request, await users.listLegacy(managementOf(request).poolId, request.query)),
    );

    app.post<{ Body: UpdateUserRequest }>(
      managementPaths.updateUser,
      {
        schema: { tags, summary: "Update a user", body: UpdateUserRequest, response: { 200: UserResponse } },
      },
      async (request) => {
        const poolId = managementOf(request).poolId;
        const outcome = await users.update(poolId, request.body, eventOrigin(request));
        return ok(request, outcome.user);
      },
    );

    app.post<{ Body: DeleteUsersBatchRequest }>(
      managementPaths.deleteUsersBatch,
      {
        schema: {
          tags,
          summary: "Delete up to 50 users",
          body: DeleteUsersBatchRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        const { userIds, options } = request.body;
        await users.deleteBatch(
          managementOf(request).poolId,
          eventOrigin(request),
          userIds,
          options?.userIdType,
        );
        return ok(request, { success: true });
      },
    );

    app.post<{ Body: IsUserExistsRequest }>(
      managementPaths.isUserExists,
      {
        schema: {
          tags,
          summary: "Whether a username, email, phone or externalId is taken",
          body: IsUserExistsRequest,
          response: { 200: IsUserExistsResponse },
        },
      },
      async (request) =>
        ok(request, { exists: await users.exists(managementOf(request).poolId, request.body) }),
    );

    app.get<{ Querystring: UserIdQuery }>(
      managementPaths.getUserIdentities,
      {
        schema: {
          tags,
          summary: "A user's external identities",
          querystring: UserIdQuery,
          response: { 200: IdentityListResponse },
        },
      },
      async (request) => {
        const { userId, userIdType } = request.query;
        return ok(request, await users.identities(managementOf(request).poolId, userId, userIdType));
      },
    );
  };
}
