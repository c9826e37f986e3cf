/**
 * Claims of the tokens Gatehouse issues (docs/wire-contract.md §2.5–2.6). JWT payloads, not request or
 * response schemas, so they are not in @gatehouse/protocol.
 */
export interface UserInfoClaims {
  sub: string;
  [claim: string]: unknown;
}
export interface IDTokenClaims {
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  iss: string;
  nonce?: string;
  at_hash?: string;
  [claim: string]: unknown;
}
export interface AccessTokenClaims {
  jti?: string;
  sub: string;
  iat: number;
  exp: number;
  scope?: string;
  iss: string;
  aud: string | string[];
  [claim: string]: unknown;
}
