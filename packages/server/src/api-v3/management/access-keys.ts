import {
  AccessKeyDeleteResponse,
  AccessKeyListResponse,
  CreateAccessKeyRequest,
  DeleteAccessKeyRequest,
  GetAccessKeyQuery,
  ListAccessKeysQuery,
  managementPaths,
  SuccessResponse,
  UpdateAccessKeyRequest,
} from "@gatehouse/protocol";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { managementOf } from "../../http/management-auth.js";
import { toAccessKeyDto } from "../../services/admin/access-keys.js";

const tags = ["management: access keys"];

/** Extra access keys of the caller's pool (SDK create-/list-/get-/update-/delete-access-key). */
export function managementAccessKeyRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const keys = ctx.admin.accessKeys;

    app.post<{ Body: Static<typeof CreateAccessKeyRequest> }>(
      managementPaths.createAccessKey,
      {
        schema: {
          tags,
          summary: "Create an access key for this pool",
          body: CreateAccessKeyRequest,
          response: { 200: AccessKeyListResponse },
        },
      },
      async (request) => ok(request, [toAccessKeyDto(await keys.create(managementOf(request).poolId))]),
    );

    app.get<{ Querystring: Static<typeof ListAccessKeysQuery> }>(
      managementPaths.listAccessKey,
      {
        schema: {
          tags,
          summary: "This pool's extra access keys",
          querystring: ListAccessKeysQuery,
          response: { 200: AccessKeyListResponse },
        },
      },
      async (request) => {
        const wanted = request.query.status;
        const list = (await keys.list(managementOf(request).poolId)).map(toAccessKeyDto);
        return ok(request, wanted?.length ? list.filter((k) => wanted.includes(k.status)) : list);
      },
    );

    app.get<{ Querystring: Static<typeof GetAccessKeyQuery> }>(
      managementPaths.getAccessKey,
      {
        schema: {
          tags,
          summary: "One access key",
          querystring: GetAccessKeyQuery,
          response: { 200: AccessKeyListResponse },
        },
      },
      async (request) =>
        ok(request, [
          toAccessKeyDto(await keys.get(managementOf(request).poolId, request.query.accessKeyId)),
        ]),
    );

    app.post<{ Body: Static<typeof UpdateAccessKeyRequest> }>(
      managementPaths.updateAccessKey,
      {
        schema: {
          tags,
          summary: "Enable or disable an access key",
          body: UpdateAccessKeyRequest,
          response: { 200: SuccessResponse },
        },
      },
      async (request) => {
        await keys.setEnabled(managementOf(request).poolId, request.body.accessKeyId, request.body.enable);
        return ok(request, { success: true });
      },
    );

    app.post<{ Body: Static<typeof DeleteAccessKeyRequest> }>(
      managementPaths.deleteAccessKey,
      {
        schema: {
          tags,
          summary: "Delete an access key",
          body: DeleteAccessKeyRequest,
          response: { 200: AccessKeyDeleteResponse },
        },
      },
      async (request) => {
        await keys.remove(managementOf(request).poolId, request.body.accessKeyId);
        return ok(request);
      },
    );
  };
}
