import type * as Client from "openid-client";
import type { Clock } from "../../lib/clock.js";
import { mapAccount, type UpstreamAccount, type UpstreamSpec } from "./providers.js";

/**
 * The upstream side of a connection, through openid-client 6 (docs/social-sign-in.md#the-round-trip):
 * discovery, the authorization URL with `state`, `nonce` and PKCE (S256), and the callback — the
 * code exchanged, the ID token verified (issuer, audience, signature by the issuer's JWKS, expiry,
 * nonce) and the account read from the ID token and userinfo (OpenID Connect) or the userinfo JSON
 * (OAuth 2.0). No token exchange of our own.
 */

/** What the callback checks against, kept server-side from the start of the round trip. */
export interface RoundTripChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Why a callback was refused: the upstream said no, or its answer did not pass the checks. */
export class UpstreamRefusal extends Error {
  constructor(
    readonly reason: "denied" | "failed" | "unavailable",
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * Why openid-client refused, for the log: its code, the innermost message (oauth4webapi's, which
 * names the check) and the claim that failed. No token or secret is in any of them.
 */
function describe(err: unknown): string {
  const parts: string[] = [];
  let e = err as
    | { code?: unknown; error?: unknown; message?: unknown; cause?: unknown; claim?: unknown }
    | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    for (const v of [e.code, e.error, e.message])
      if (typeof v === "string" && !parts.includes(v)) parts.push(v);
    if (typeof e.claim === "string") parts.push(`claim ${e.claim}`);
    e = e.cause as typeof e;
  }
  return (parts.join(": ") || "error").slice(0, 400);
}

export interface UpstreamDeps {
  clock: Clock;
  /** Plain-http issuers and endpoints (development and tests only). */
  allowHttp: boolean;
}

/** Discovery documents are read again after this long. */
const DISCOVERY_TTL_MS = 10 * 60_000;
const TIMEOUT_S = 10;

let loaded: Promise<typeof Client> | undefined;
/** openid-client is loaded at the first upstream sign-in, not at start (docs/performance.md §Memory at idle). */
function openidClient(): Promise<typeof Client> {
  loaded ??= import("openid-client");
  return loaded;
}

export function createUpstream(deps: UpstreamDeps) {
  /**
   * Discovered metadata and the issuer's keys by issuer URL. Stale for at most DISCOVERY_TTL_MS after
   * the upstream changes its document; keys are fetched again by openid-client on an unknown `kid`.
   */
  const discovered = new Map<string, { until: number; metadata: Client.ServerMetadata; jwks?: unknown }>();

  const execute = (client: typeof Client) => (deps.allowHttp ? [client.allowInsecureRequests] : []);

  async function metadataOf(spec: UpstreamSpec): Promise<Client.ServerMetadata> {
    if (spec.protocol === "oauth2" || spec.authorizationEndpoint) {
      const issuer = spec.issuer ?? new URL(spec.authorizationEndpoint as string).origin;
      return {
        issuer,
        authorization_endpoint: spec.authorizationEndpoint,
        token_endpoint: spec.tokenEndpoint,
        ...(spec.userInfoEndpoint ? { userinfo_endpoint: spec.userInfoEndpoint } : {}),
        ...(spec.jwksUri ? { jwks_uri: spec.jwksUri } : {}),
      };
    }
    const issuer = spec.issuer as string;
    const hit = discovered.get(issuer);
    if (hit && hit.until > Date.now()) return hit.metadata;
    let found: Client.Configuration;
    const client = await openidClient();
    try {
      found = await client.discovery(new URL(issuer), spec.clientId, undefined, undefined, {
        execute: execute(client),
        timeout: TIMEOUT_S,
      });
    } catch (err) {
      throw new UpstreamRefusal("unavailable", describe(err));
    }
    const metadata = { ...found.serverMetadata() };
    discovered.set(issuer, { until: Date.now() + DISCOVERY_TTL_MS, metadata });
    return metadata;
  }

  async function configuration(spec: UpstreamSpec, secret: string): Promise<Client.Configuration> {
    const metadata = await metadataOf(spec);
    const client = await openidClient();
    const auth =
      spec.tokenEndpointAuthMethod === "client_secret_post"
        ? client.ClientSecretPost(secret)
        : client.ClientSecretBasic(secret);
    // Token times are checked against the injected clock (docs/architecture.md, habit 5).
    const skew = Math.round((deps.clock.now() - Date.now()) / 1000);
    const config = new client.Configuration(
      metadata,
      spec.clientId,
      { [client.clockSkew]: skew } as Partial<Client.ClientMetadata>,
      auth,
    );
    config.timeout = TIMEOUT_S;
    if (deps.allowHttp) client.allowInsecureRequests(config);
    // openid-client trusts the TLS channel for the token endpoint's ID token by default; we verify
    // its signature by the issuer's JWKS as well.
    if (spec.protocol === "oidc") client.enableNonRepudiationChecks(config);
    const jwks = discovered.get(metadata.issuer)?.jwks;
    if (jwks) client.setJwksCache(config, jwks as Parameters<typeof Client.setJwksCache>[1]);
    return config;
  }

  function keepJwks(client: typeof Client, config: Client.Configuration): void {
    const issuer = config.serverMetadata().issuer;
    const entry = discovered.get(issuer);
    const jwks = client.getJwksCache(config);
    if (entry && jwks) entry.jwks = jwks;
  }

  return {
    /** Fresh values for one round trip. */
    async newChecks(): Promise<RoundTripChecks> {
      const client = await openidClient();
      return {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
      };
    },

    /** Where the browser goes to sign in upstream. */
    async authorizationUrl(
      spec: UpstreamSpec,
      secret: string,
      redirectUri: string,
      checks: RoundTripChecks,
    ): Promise<string> {
      const config = await configuration(spec, secret);
      const client = await openidClient();
      const params: Record<string, string> = {
        redirect_uri: redirectUri,
        response_type: "code",
        state: checks.state,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: "S256",
      };
      if (spec.scopes) params.scope = spec.scopes;
      if (spec.protocol === "oidc") params.nonce = checks.nonce;
      return client.buildAuthorizationUrl(config, params).href;
    },

    /**
     * The callback: `query` is what the upstream sent back to `redirectUri`. Throws UpstreamRefusal
     * for an upstream error (`access_denied` …) or an answer that fails a check.
     */
    async finish(
      spec: UpstreamSpec,
      secret: string,
      redirectUri: string,
      query: URLSearchParams,
      checks: RoundTripChecks,
    ): Promise<UpstreamAccount> {
      const error = query.get("error");
      if (error)
        throw new UpstreamRefusal(error === "access_denied" ? "denied" : "failed", error.slice(0, 100));
      const currentUrl = new URL(redirectUri);
      for (const [k, v] of query) currentUrl.searchParams.append(k, v);
      let claims: Record<string, unknown>;
      const client = await openidClient();
      try {
        const config = await configuration(spec, secret);
        const oidc = spec.protocol === "oidc";
        const tokens = await client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          ...(oidc ? { expectedNonce: checks.nonce, idTokenExpected: true } : {}),
        });
        if (oidc) {
          const idToken = tokens.claims();
          if (!idToken) throw new UpstreamRefusal("failed", "no ID token");
          claims = { ...idToken };
          if (config.serverMetadata().userinfo_endpoint) {
            const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
            claims = { ...info, ...claims };
          }
          keepJwks(client, config);
        } else {
          const res = await client.fetchProtectedResource(
            config,
            tokens.access_token,
            new URL(spec.userInfoEndpoint as string),
            "GET",
            undefined,
            new Headers({ accept: "application/json", "user-agent": "Gatehouse" }),
          );
          if (!res.ok) throw new UpstreamRefusal("failed", `userinfo answered ${res.status}`);
          const body = (await res.json()) as unknown;
          if (!body || typeof body !== "object" || Array.isArray(body))
            throw new UpstreamRefusal("failed", "userinfo is not a JSON object");
          claims = body as Record<string, unknown>;
        }
      } catch (err) {
        if (err instanceof UpstreamRefusal) throw err;
        if (err instanceof client.AuthorizationResponseError)
          throw new UpstreamRefusal(err.error === "access_denied" ? "denied" : "failed", err.error);
        throw new UpstreamRefusal("failed", describe(err));
      }
      const account = mapAccount(spec, claims);
      if (!account) throw new UpstreamRefusal("failed", "the upstream named no account id");
      return account;
    },
  };
}
export type Upstream = ReturnType<typeof createUpstream>;
