import { type Static, Type } from "@sinclair/typebox";
import { Str } from "./common.js";

/** /oidc/* request bodies (form-encoded or JSON) and responses (docs/wire-contract.md §2). Not enveloped. */
const Opt = Type.Optional;

export const TokenRequest = Type.Object({
  grant_type: Str(128),
  refresh_token: Opt(Str(512)),
  scope: Opt(Str(1024)),
  code: Opt(Str(512)),
  redirect_uri: Opt(Str(2048)),
  code_verifier: Opt(Str(256)),
  client_id: Opt(Str(64)),
  client_secret: Opt(Str(256)),
});
export type TokenRequest = Static<typeof TokenRequest>;

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  id_token: Opt(Type.String()),
  refresh_token: Opt(Type.String()),
  token_type: Type.String(),
  expires_in: Type.Integer(),
  scope: Type.String(),
});
export type TokenResponse = Static<typeof TokenResponse>;

export const TokenActionRequest = Type.Object({
  token: Opt(Str(8192)),
  token_type_hint: Opt(Str(64)),
  client_id: Opt(Str(64)),
  client_secret: Opt(Str(256)),
});
export type TokenActionRequest = Static<typeof TokenActionRequest>;

/** RFC 7662 (docs/wire-contract.md §2.4). */
export const IntrospectionResponse = Type.Object({
  active: Type.Boolean(),
  sub: Opt(Type.String()),
  client_id: Opt(Type.String()),
  aud: Opt(Type.String()),
  exp: Opt(Type.Integer()),
  iat: Opt(Type.Integer()),
  iss: Opt(Type.String()),
  jti: Opt(Type.String()),
  sid: Opt(Type.String()),
  scope: Opt(Type.String()),
  token_type: Opt(Type.String()),
});
export type IntrospectionResponse = Static<typeof IntrospectionResponse>;

export const UserInfoRequest = Type.Object({ access_token: Opt(Str(8192)) });

export const EndSessionQuery = Type.Object({
  id_token_hint: Opt(Str(8192)),
  post_logout_redirect_uri: Opt(Str(2048)),
  state: Opt(Str(512)),
  client_id: Opt(Str(64)),
});
export type EndSessionQuery = Static<typeof EndSessionQuery>;

export const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Opt(Type.String()) });
