import type { JSONWebKeySet, JWTPayload } from "jose";
import { GatehouseTokenError, type TokenErrorReason } from "./errors.js";

export interface VerifyOptions {
  issuer: string;
  audience: string | string[];
  /** Must equal the token's `nonce` claim when given (ID tokens). */
  nonce?: string;
  /** Verify `alg: HS256` tokens with this secret (the app secret; ID tokens only). */
  hmacSecret?: string;
  /** Use these keys instead of fetching the server's JWKS. */
  serverJWKS?: JSONWebKeySet;
  /** Seconds of clock skew tolerated for exp/nbf/iat (default 30). */
  clockTolerance?: number;
}

const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

const reasonByCode: Record<string, TokenErrorReason> = {
  ERR_JWT_EXPIRED: "expired",
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "signature",
  ERR_JWKS_NO_MATCHING_KEY: "unknown-key",
  ERR_JWS_INVALID: "malformed",
  ERR_JWT_INVALID: "malformed",
  ERR_JOSE_ALG_NOT_ALLOWED: "signature",
};
const reasonByClaim: Record<string, TokenErrorReason> = {
  iss: "issuer",
  aud: "audience",
  nbf: "not-yet-valid",
  exp: "expired",
};

function toTokenError(err: unknown): GatehouseTokenError {
  if (err instanceof GatehouseTokenError) return err;
  const e = err as { code?: string; claim?: string; message?: string };
  const reason =
    (e.code === "ERR_JWT_CLAIM_VALIDATION_FAILED" ? (reasonByClaim[e.claim ?? ""] ?? "claim") : undefined) ??
    reasonByCode[e.code ?? ""] ??
    "malformed";
  return new GatehouseTokenError(reason, `Token rejected (${reason}): ${e.message ?? String(err)}`, err);
}

/**
 * Verifies JWTs against the server's JWKS: signature and exp, iss, aud (and nonce). The key set is
 * cached and fetched again when a token names a `kid` the cache lacks (at most once per `cooldownMs`).
 * jose is loaded on first use, so bundles that never verify tokens leave it out.
 */
export class TokenVerifier {
  private cache?: { jwks: JSONWebKeySet; fetchedAt: number };
  private inflight?: Promise<JSONWebKeySet>;

  constructor(
    private readonly fetchJwks: () => Promise<JSONWebKeySet>,
    private readonly cooldownMs = 10_000,
  ) {}

  private async keys(kid: string | undefined): Promise<JSONWebKeySet> {
    const known = (set: JSONWebKeySet) => !kid || set.keys.some((k) => k.kid === kid);
    const fresh = this.cache && Date.now() - this.cache.fetchedAt < this.cooldownMs;
    if (this.cache && (known(this.cache.jwks) || fresh)) return this.cache.jwks;
    this.inflight ??= this.fetchJwks().finally(() => {
      this.inflight = undefined;
    });
    const jwks = await this.inflight;
    this.cache = { jwks, fetchedAt: Date.now() };
    return jwks;
  }

  async verify<T extends JWTPayload>(token: string, options: VerifyOptions): Promise<T> {
    const jose = await import("jose");
    try {
      const header = jose.decodeProtectedHeader(token);
      const common = {
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ["exp"],
        clockTolerance: options.clockTolerance ?? 30,
      };
      let payload: JWTPayload;
      if (header.alg === "HS256" && options.hmacSecret) {
        const secret = new TextEncoder().encode(options.hmacSecret);
        ({ payload } = await jose.jwtVerify(token, secret, { ...common, algorithms: ["HS256"] }));
      } else {
        const jwks = options.serverJWKS ?? (await this.keys(header.kid));
        const getKey = jose.createLocalJWKSet(jwks);
        ({ payload } = await jose.jwtVerify(token, getKey, { ...common, algorithms: ASYMMETRIC }));
      }
      if (options.nonce !== undefined && payload.nonce !== options.nonce) {
        throw new GatehouseTokenError("nonce", "Token rejected (nonce): nonce does not match");
      }
      return payload as T;
    } catch (err) {
      throw toTokenError(err);
    }
  }
}
