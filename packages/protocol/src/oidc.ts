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

/**
 * The authorization request's parameters (docs/oidc-provider.md §Authorization request). Others
 * (GenAuth's `tenantId`, unknown extensions) are accepted and ignored.
 */
export const AuthorizationParams = Type.Object(
  {
    client_id: Opt(Str(64)),
    redirect_uri: Opt(Str(2048)),
    response_type: Opt(Str(64)),
    response_mode: Opt(Str(32)),
    scope: Opt(Str(1024)),
    state: Opt(Str(1024)),
    nonce: Opt(Str(512)),
    code_challenge: Opt(Str(256)),
    code_challenge_method: Opt(Str(16)),
    prompt: Opt(Str(128)),
    max_age: Opt(Str(16)),
    login_hint: Opt(Str(256)),
    ui_locales: Opt(Str(64)),
    request: Opt(Str(8192)),
    request_uri: Opt(Str(2048)),
    tenantId: Opt(Str(64)),
  },
  { additionalProperties: true },
);
export type AuthorizationParams = Static<typeof AuthorizationParams>;

/** `/oidc/auth/resume/:uid`. */
export const AuthorizeResumeParams = Type.Object({ uid: Str(64) });

export const EndSessionQuery = Type.Object({
  id_token_hint: Opt(Str(8192)),
  post_logout_redirect_uri: Opt(Str(2048)),
  state: Opt(Str(512)),
  client_id: Opt(Str(64)),
});
export type EndSessionQuery = Static<typeof EndSessionQuery>;

export const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Opt(Type.String()) });
