import { type Static, Type } from "@sinclair/typebox";
import { CommonResponse, Envelope, NonEmpty, Str } from "./common.js";

/** Management access keys (docs/wire-contract.md §1.4, §1.4.4; SDK create-/list-/update-/delete-access-key). */

/** The same record for create, get and list (CreateAccessKeyRespDto = ListAccessKeyRespDto). */
export const AccessKeyDto = Type.Object({
  accessKeyId: Type.String(),
  accessKeySecret: Type.String(),
  userId: Type.String(),
  createdAt: Type.String(),
  status: Type.String(),
  lastDate: Type.String(),
  userPoolId: Type.String(),
  enable: Type.Boolean(),
});
export type AccessKeyDto = Static<typeof AccessKeyDto>;

export const CreateAccessKeyRequest = Type.Object({
  type: Type.Optional(Str(32)),
  userId: Type.Optional(Str(64)),
  tenantId: Type.Optional(Str(64)),
});
export const ListAccessKeysQuery = Type.Object({
  userId: Type.Optional(Str(64)),
  tenantId: Type.Optional(Str(64)),
  type: Type.Optional(Str(32)),
  status: Type.Optional(Type.Array(Str(32), { maxItems: 5 })),
});
export const GetAccessKeyQuery = Type.Object({ userId: Type.Optional(Str(64)), accessKeyId: NonEmpty(64) });
export const UpdateAccessKeyRequest = Type.Object({ enable: Type.Boolean(), accessKeyId: NonEmpty(64) });
export const DeleteAccessKeyRequest = Type.Object({ accessKeyId: NonEmpty(64) });

/** The SDK models these answers as arrays, even for one key. */
export const AccessKeyListResponse = Envelope(Type.Array(AccessKeyDto));
export const AccessKeyDeleteResponse = CommonResponse;

/** POST /api/v3/get-management-token (the token flow of the other GenAuth SDKs). */
export const ManagementTokenRequest = Type.Object({
  accessKeyId: NonEmpty(64),
  accessKeySecret: NonEmpty(256),
});
export type ManagementTokenRequest = Static<typeof ManagementTokenRequest>;
export const ManagementTokenResponse = Type.Object({
  statusCode: Type.Integer(),
  /** The historical node SDK checked `code === 200`, not statusCode. */
  code: Type.Optional(Type.Integer()),
  message: Type.String(),
  apiCode: Type.Optional(Type.Integer()),
  requestId: Type.Optional(Type.String()),
  data: Type.Optional(Type.Object({ access_token: Type.String(), expires_in: Type.Integer() })),
});
