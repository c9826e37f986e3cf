import { type Static, Type } from "@sinclair/typebox";
import { Envelope, NonEmpty, Str } from "./common.js";
import { IdentityDto } from "./user.js";

/**
 * External identity providers and their connections (docs/social-sign-in.md; SDK create-ext-idp …
 * change-ext-idp-conn-association-state, generate-link-extidp-url, unlink-extidp, get-identities,
 * get-application-enabled-extidps, link-identity, unlink-identity).
 */

const Id = NonEmpty(64);
const TenantId = Type.Optional(Str(64));
/** A connection's settings: checked by the server for its type (docs/social-sign-in.md#connection-fields). */
const Fields = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 50 });

export const ExtIdpDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  logo: Type.String(),
  tenantId: Type.Optional(Type.String()),
  type: Type.String(),
});
export type ExtIdpDto = Static<typeof ExtIdpDto>;

export const ExtIdpConnDto = Type.Object({
  id: Type.String(),
  type: Type.String(),
  extIdpId: Type.String(),
  logo: Type.String(),
  identifier: Type.String(),
  displayName: Type.String(),
  loginOnly: Type.Boolean(),
  associationMode: Type.String(),
  challengeBindingMethods: Type.Array(Type.String()),
  /** The settings; the client secret is never among them. */
  fields: Type.Record(Type.String(), Type.Unknown()),
  /** Applications the connection is enabled for. */
  appIds: Type.Array(Type.String()),
  /** Whether the connection is associated (change-ext-idp-conn-association-state). */
  association: Type.Boolean(),
  /** Where the upstream sends the browser back: register it there. */
  callbackUrl: Type.String(),
});
export type ExtIdpConnDto = Static<typeof ExtIdpConnDto>;

export const ExtIdpDetailDto = Type.Object({
  ...ExtIdpDto.properties,
  connections: Type.Array(ExtIdpConnDto),
  autoJoin: Type.Boolean(),
});
export type ExtIdpDetailDto = Static<typeof ExtIdpDetailDto>;

export const CreateExtIdpRequest = Type.Object({
  name: NonEmpty(128),
  type: NonEmpty(64),
  tenantId: TenantId,
});
export type CreateExtIdpRequest = Static<typeof CreateExtIdpRequest>;
export const UpdateExtIdpRequest = Type.Object({ id: Id, name: NonEmpty(128), tenantId: TenantId });
export type UpdateExtIdpRequest = Static<typeof UpdateExtIdpRequest>;
export const DeleteByIdRequest = Type.Object({ id: Id, tenantId: TenantId });
export const ListExtIdpQuery = Type.Object({ tenantId: TenantId, appId: Type.Optional(Str(64)) });
export const GetExtIdpQuery = Type.Object({
  id: Id,
  tenantId: TenantId,
  appId: Type.Optional(Str(64)),
  type: Type.Optional(Type.Union([Type.Literal("social"), Type.Literal("enterprise")])),
});

export const CreateExtIdpConnRequest = Type.Object({
  extIdpId: Id,
  type: NonEmpty(64),
  identifier: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" }),
  displayName: NonEmpty(128),
  fields: Fields,
  loginOnly: Type.Optional(Type.Boolean()),
  logo: Type.Optional(Str(2048)),
  tenantId: TenantId,
});
export type CreateExtIdpConnRequest = Static<typeof CreateExtIdpConnRequest>;
export const UpdateExtIdpConnRequest = Type.Object({
  id: Id,
  displayName: NonEmpty(128),
  fields: Fields,
  logo: Type.Optional(Str(2048)),
  loginOnly: Type.Optional(Type.Boolean()),
  tenantId: TenantId,
});
export type UpdateExtIdpConnRequest = Static<typeof UpdateExtIdpConnRequest>;
export const ChangeExtIdpConnStateRequest = Type.Object({
  id: Id,
  enabled: Type.Boolean(),
  appId: Str(64),
  tenantId: TenantId,
  appIds: Type.Optional(Type.Array(NonEmpty(64), { maxItems: 100 })),
});
export type ChangeExtIdpConnStateRequest = Static<typeof ChangeExtIdpConnStateRequest>;
export const ChangeExtIdpConnAssociationStateRequest = Type.Object({
  id: Id,
  association: Type.Boolean(),
  tenantId: TenantId,
});

export const ExtIdpResponse = Envelope(ExtIdpDto);
export const ExtIdpListResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(ExtIdpDto) }),
);
export const ExtIdpDetailResponse = Envelope(ExtIdpDetailDto);
export const ExtIdpConnResponse = Envelope(ExtIdpConnDto);

/** Management link-identity / unlink-identity. */
export const LinkIdentityRequest = Type.Object({
  userIdInIdp: NonEmpty(255),
  userId: Id,
  extIdpId: Id,
  type: Type.Optional(NonEmpty(64)),
  isSocial: Type.Optional(Type.Boolean()),
});
export type LinkIdentityRequest = Static<typeof LinkIdentityRequest>;
export const UnlinkIdentityRequest = Type.Object({
  userId: Id,
  extIdpId: Id,
  type: Type.Optional(NonEmpty(64)),
  isSocial: Type.Optional(Type.Boolean()),
});
export type UnlinkIdentityRequest = Static<typeof UnlinkIdentityRequest>;

/** The user's own account binding (AuthenticationClient). */
export const GenerateLinkExtIdpUrlQuery = Type.Object({
  ext_idp_conn_identifier: NonEmpty(64),
  app_id: NonEmpty(64),
  id_token: NonEmpty(8192),
  need_url_redirect: Type.Optional(Str(16)),
  only_redirect_token: Type.Optional(Str(16)),
  need_form_post: Type.Optional(Str(16)),
  target_url: Type.Optional(Str(2048)),
});
export type GenerateLinkExtIdpUrlQuery = Static<typeof GenerateLinkExtIdpUrlQuery>;
export const GenerateLinkExtIdpUrlResponse = Envelope(Type.Object({ url: Type.String() }));
export const UnlinkExtIdpRequest = Type.Object({ extIdpId: Id });
export type UnlinkExtIdpRequest = Static<typeof UnlinkExtIdpRequest>;
export const GetIdentitiesResponse = Envelope(Type.Array(IdentityDto));

export const ExtIdpInfoDto = Type.Object({
  identifier: Type.String(),
  extIdpId: Type.String(),
  type: Type.String(),
  extIdpType: Type.Union([Type.Literal("social"), Type.Literal("enterprise")]),
  bindUrl: Type.String(),
  name: Type.String(),
  name_en: Type.Optional(Type.String()),
  desc: Type.Optional(Type.String()),
  desc_en: Type.Optional(Type.String()),
  logo: Type.Optional(Type.String()),
});
export type ExtIdpInfoDto = Static<typeof ExtIdpInfoDto>;
export const EnabledExtIdpsResponse = Envelope(Type.Array(ExtIdpInfoDto));
