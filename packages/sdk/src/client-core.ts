import type { SystemInfo } from "@gatehouse/protocol";
import { authPaths, OIDC_ISSUER_PATH, oidcPaths } from "@gatehouse/protocol";
import type { JSONWebKeySet } from "jose";
import { type Envelope, GatehouseError } from "./errors.js";
import { encryptPassword, importRsaPublicKey } from "./rsa.js";
import { TokenVerifier } from "./token-verifier.js";
import { type FetchLike, normaliseHost, type Query, type RawResponse, Transport } from "./transport.js";
import type {
  AccessTokenClaims,
  IDTokenClaims,
  LoginTokenResponseDataDto,
  OIDCTokenResponse,
  PasswordEncryptType,
  TokenIntrospectResponse,
  UserInfoClaims,
} from "./types.js";

export type ClientAuthMethod = "client_secret_post" | "client_secret_basic" | "none";

/** The official option names (authing-node-sdk AuthenticationClientInitOptions) plus Gatehouse's own. */
export interface AuthenticationClientOptions {
  appId: string;
  /** Required unless `tokenEndPointAuthMethod` is `"none"` (never put it in a browser bundle). */
  appSecret?: string;
  /** e.g. `https://id.example.com` (a path prefix is kept). */
  appHost: string;
  tokenEndPointAuthMethod?: ClientAuthMethod;
  introspectionEndPointAuthMethod?: ClientAuthMethod;
  revocationEndPointAuthMethod?: ClientAuthMethod;
  /** A signed-in user's access token to start with (see `setAccessToken`). */
  accessToken?: string;
  /** Default `"openid profile"`; must contain `openid`. */
  scope?: string;
  redirectUri?: string;
  logoutRedirectUri?: string;
  /** Milliseconds (default 10 000). */
  timeout?: number;
  /** Default true: a non-200 `statusCode` throws `GatehouseError`; false returns the envelope as is. */
  throwOnError?: boolean;
  /** A fetch implementation (default: the global one). */
  fetch?: FetchLike;
  /** Extra attempts for idempotent GETs on transient failures (default 2). */
  retries?: number;
  /** First retry delay in ms, doubling per attempt (default 200). */
  retryDelay?: number;
  /** `"rsa"`: encrypt every password this client sends with the server's RSA key (default `"none"`). */
  passwordEncryptType?: Extract<PasswordEncryptType, "rsa" | "none">;
  /** Expected `iss` of tokens (default `${appHost}/oidc`). */
  issuer?: string;
  /** Minimum milliseconds between JWKS refetches triggered by an unknown `kid` (default 10 000). */
  jwksCooldown?: number;
}

/** The tokens of the signed-in user, kept by the client. */
export interface TokenSet {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  /** Epoch ms, when known. */
  expiresAt?: number;
}

interface CallOptions {
  query?: Query;
  body?: unknown;
  /** Send `authorization: Basic …` instead of the user's token (client_secret_basic sign-in). */
  basic?: boolean;
}

const REFRESH_MARGIN_MS = 60_000;
const TOKEN_EXPIRED_API_CODE = 2206;

function isEnvelope(body: unknown): body is Envelope<unknown> {
  return typeof body === "object" && body !== null && typeof (body as Envelope).statusCode === "number";
}

function jwtExpiry(token: string): number | undefined {
  try {
    const part = token.split(".")[1];
    if (!part) return undefined;
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function randomString(length: number): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => chars[b % chars.length]).join("");
}

function queryString(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v as string)}`)
    .join("&");
}

/**
 * Transport, token keeping and the OIDC side of AuthenticationClient (docs/wire-contract.md §2).
 * The `/api/v3` methods live in authentication-client.ts.
 */
export class AuthenticationCore {
  protected readonly options: Readonly<
    Required<Pick<AuthenticationClientOptions, "appId" | "appHost" | "scope" | "throwOnError">> &
      AuthenticationClientOptions
  >;
  protected readonly transport: Transport;
  private tokens?: TokenSet;
  private refreshing?: Promise<unknown>;
  private rsaKey?: Promise<CryptoKey>;
  private readonly verifier: TokenVerifier;

  constructor(options: AuthenticationClientOptions) {
    const scope = options.scope ?? "openid profile";
    if (!scope.split(" ").includes("openid")) throw new Error("scope must contain openid");
    if (!options.appId) throw new Error("Init AuthenticationClient failed: appId is not provided");
    if (!options.appHost) throw new Error("Init AuthenticationClient failed: appHost is not provided");
    const tokenAuth = options.tokenEndPointAuthMethod ?? "client_secret_post";
    if (tokenAuth !== "none" && !options.appSecret) {
      throw new Error(
        'Init AuthenticationClient failed: appSecret is required unless tokenEndPointAuthMethod is "none"',
      );
    }
    const appHost = normaliseHost(options.appHost);
    this.options = { ...options, appHost, scope, throwOnError: options.throwOnError ?? true };
    this.transport = new Transport({
      baseUrl: appHost,
      timeout: options.timeout,
      retries: options.retries,
      retryDelay: options.retryDelay,
      fetch: options.fetch,
    });
    this.verifier = new TokenVerifier(
      () => this.oidcGet<JSONWebKeySet>(oidcPaths.jwks),
      options.jwksCooldown,
    );
    if (options.accessToken) this.setAccessToken(options.accessToken);
  }

  // ------------------------------------------------------------ tokens kept by the client

  /** Use this access token for the following requests (the official SDK's method). */
  setAccessToken(accessToken: string): void {
    this.tokens = { accessToken, expiresAt: jwtExpiry(accessToken) };
  }

  /** Keep a whole token set (sign-in does this itself); `undefined` forgets the user. */
  setTokenSet(tokens: TokenSet | undefined): void {
    this.tokens = tokens ? { ...tokens } : undefined;
  }

  getTokenSet(): TokenSet | undefined {
    return this.tokens ? { ...this.tokens } : undefined;
  }

  /** Stores the tokens of a successful sign-in or token-endpoint answer. */
  protected keepTokens(data: Partial<LoginTokenResponseDataDto & OIDCTokenResponse> | undefined): void {
    if (!data?.access_token) return;
    const lifetime = data.expire_in ?? data.expires_in;
    this.tokens = {
      accessToken: data.access_token,
      idToken: data.id_token ?? this.tokens?.idToken,
      refreshToken: data.refresh_token ?? this.tokens?.refreshToken,
      expiresAt: typeof lifetime === "number" ? Date.now() + lifetime * 1000 : jwtExpiry(data.access_token),
    };
  }

  /** The access token to send, refreshed first when it is about to expire and a refresh token is kept. */
  private async currentAccessToken(): Promise<string | undefined> {
    const t = this.tokens;
    if (t?.refreshToken && t.expiresAt !== undefined && Date.now() > t.expiresAt - REFRESH_MARGIN_MS) {
      await this.refreshKeptTokens();
    }
    return this.tokens?.accessToken;
  }

  private async refreshKeptTokens(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return;
    this.refreshing ??= this.getNewAccessTokenByRefreshToken(refreshToken).finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }

  // ------------------------------------------------------------ /api/v3 calls

  protected basicAuth(): string {
    return `Basic ${btoa(`${this.options.appId}:${this.options.appSecret ?? ""}`)}`;
  }

  /** An `/api/v3` call answered with the envelope. */
  protected async api<T>(method: "GET" | "POST", path: string, call: CallOptions = {}): Promise<Envelope<T>> {
    let res = await this.send(method, path, call);
    if (
      isEnvelope(res.body) &&
      res.body.apiCode === TOKEN_EXPIRED_API_CODE &&
      !call.basic &&
      this.tokens?.refreshToken
    ) {
      await this.refreshKeptTokens();
      res = await this.send(method, path, call);
    }
    return this.unwrap<T>(res);
  }

  private async send(method: "GET" | "POST", path: string, call: CallOptions): Promise<RawResponse> {
    const headers: Record<string, string> = { "x-authing-app-id": this.options.appId };
    if (call.basic) headers.authorization = this.basicAuth();
    else {
      const token = await this.currentAccessToken();
      if (token) headers.authorization = token;
    }
    return this.transport.request({
      method,
      path,
      query: call.query,
      json: method === "POST" ? (call.body ?? {}) : undefined,
      headers,
      idempotent: method === "GET",
      transient: (_status, body) => isEnvelope(body) && body.statusCode === 503,
    });
  }

  protected unwrap<T>(res: RawResponse): Envelope<T> {
    const body = res.body;
    if (isEnvelope(body)) {
      if (body.statusCode !== 200 && this.options.throwOnError) throw GatehouseError.fromEnvelope(body);
      return body as Envelope<T>;
    }
    throw new GatehouseError({
      statusCode: res.status,
      message: `Unexpected answer (HTTP ${res.status}, not an envelope)`,
      body,
    });
  }

  // ------------------------------------------------------------ /oidc calls (raw JSON, HTTP errors)

  private async oidcGet<T>(path: string, query?: Query, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.transport.request({
      method: "GET",
      path,
      query,
      headers: { "x-authing-app-id": this.options.appId, ...headers },
      idempotent: true,
    });
    return this.oidcResult<T>(res);
  }

  private async oidcPost<T>(
    path: string,
    form: Record<string, string | undefined>,
    auth: ClientAuthMethod | "bearer",
    bearer?: string,
  ): Promise<T> {
    const headers: Record<string, string> = { "x-authing-app-id": this.options.appId };
    const body = { ...form };
    if (auth === "client_secret_basic") headers.authorization = this.basicAuth();
    else if (auth === "bearer" && bearer) headers.authorization = `Bearer ${bearer}`;
    else if (auth !== "bearer") {
      body.client_id = this.options.appId;
      if (auth === "client_secret_post") body.client_secret = this.options.appSecret;
    }
    const res = await this.transport.request({ method: "POST", path, form: body, headers });
    return this.oidcResult<T>(res);
  }

  private oidcResult<T>(res: RawResponse): T {
    if (res.status >= 200 && res.status < 300) return res.body as T;
    const body = (typeof res.body === "object" && res.body !== null ? res.body : {}) as {
      error?: string;
      error_description?: string;
      message?: string;
      apiCode?: number;
      requestId?: string;
    };
    throw new GatehouseError({
      statusCode: res.status,
      error: body.error,
      apiCode: body.apiCode,
      requestId: body.requestId,
      message: body.error_description ?? body.message ?? body.error ?? `HTTP ${res.status}`,
      body: res.body,
    });
  }

  // ------------------------------------------------------------ token methods (docs/wire-contract.md §2.3–2.7)

  /** `authorization_code` grant; keeps the returned tokens. */
  async getAccessTokenByCode(
    code: string,
    options: { codeVerifier?: string } = {},
  ): Promise<OIDCTokenResponse> {
    const tokens = await this.oidcPost<OIDCTokenResponse>(
      oidcPaths.token,
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: this.options.redirectUri,
        code_verifier: options.codeVerifier,
      },
      this.options.tokenEndPointAuthMethod ?? "client_secret_post",
    );
    this.keepTokens(tokens);
    return tokens;
  }

  /**
   * `refresh_token` grant (formerly `refreshLoginState`). Without an argument it uses the kept
   * refresh token; when the refreshed token is the kept one, the new tokens replace the kept ones.
   */
  async getNewAccessTokenByRefreshToken(refreshToken?: string): Promise<OIDCTokenResponse> {
    const rt = refreshToken ?? this.tokens?.refreshToken;
    if (!rt) throw new Error("No refresh token: sign in with scope offline_access first");
    const tokens = await this.oidcPost<OIDCTokenResponse>(
      oidcPaths.token,
      { grant_type: "refresh_token", refresh_token: rt },
      this.options.tokenEndPointAuthMethod ?? "client_secret_post",
    );
    if (rt === this.tokens?.refreshToken) this.keepTokens(tokens);
    return tokens;
  }

  async introspectToken(token: string): Promise<TokenIntrospectResponse> {
    return this.oidcPost<TokenIntrospectResponse>(
      oidcPaths.introspection,
      { token },
      this.options.introspectionEndPointAuthMethod ?? "client_secret_post",
    );
  }

  /** Revokes an access or refresh token; forgets the kept tokens when it is one of them. */
  async revokeToken(token: string): Promise<true> {
    await this.oidcPost<unknown>(
      oidcPaths.revocation,
      { token },
      this.options.revocationEndPointAuthMethod ?? "client_secret_post",
    );
    if (token === this.tokens?.accessToken || token === this.tokens?.refreshToken) this.tokens = undefined;
    return true;
  }

  /** `/oidc/me`; default `GET ?access_token=` like the official SDK. */
  async getUserInfoByAccessToken(
    accessToken: string,
    options: { method?: "GET" | "POST"; tokenPlace?: "query" | "header" | "body" } = {},
  ): Promise<UserInfoClaims> {
    const method = options.method ?? "GET";
    const place = options.tokenPlace ?? "query";
    if (method === "GET" && place === "body") throw new Error("tokenPlace body needs method POST");
    if (method === "GET") {
      return place === "header"
        ? this.oidcGet(oidcPaths.userInfo, undefined, { authorization: `Bearer ${accessToken}` })
        : this.oidcGet(oidcPaths.userInfo, { access_token: accessToken });
    }
    if (place === "body") return this.oidcPost(oidcPaths.userInfo, { access_token: accessToken }, "bearer");
    if (place === "header") return this.oidcPost(oidcPaths.userInfo, {}, "bearer", accessToken);
    const res = await this.transport.request({
      method: "POST",
      path: oidcPaths.userInfo,
      query: { access_token: accessToken },
      form: {},
      headers: { "x-authing-app-id": this.options.appId },
    });
    return this.oidcResult(res);
  }

  private verifyDefaults() {
    return {
      issuer: this.options.issuer ?? `${this.options.appHost}${OIDC_ISSUER_PATH}`,
      audience: this.options.appId,
    };
  }

  /**
   * Verifies an ID token: signature (JWKS, or HS256 with the app secret), `exp`, `iss`, `aud`,
   * and `nonce` when given. Throws `GatehouseTokenError` with a `reason`.
   */
  async parseIDToken(
    token: string,
    options: {
      nonce?: string;
      serverJWKS?: JSONWebKeySet;
      audience?: string | string[];
      issuer?: string;
    } = {},
  ): Promise<IDTokenClaims> {
    return this.verifier.verify<IDTokenClaims>(token, {
      ...this.verifyDefaults(),
      ...options,
      hmacSecret: this.options.appSecret,
    });
  }

  /** Verifies an access token locally: signature (JWKS only), `exp`, `iss`, `aud`. */
  async parseAccessToken(
    token: string,
    options: { serverJWKS?: JSONWebKeySet; audience?: string | string[]; issuer?: string } = {},
  ): Promise<AccessTokenClaims> {
    return this.verifier.verify<AccessTokenClaims>(token, { ...this.verifyDefaults(), ...options });
  }

  /** The OIDC authorize URL, with PKCE when `codeChallenge` is given (the official SDK drops it). */
  buildAuthorizeUrl(
    options: {
      redirectUri?: string;
      responseMode?: "query" | "fragment" | "form_post";
      responseType?: string;
      state?: string;
      nonce?: string;
      scope?: string;
      codeChallenge?: string;
      codeChallengeMethod?: "S256" | "plain";
      forced?: boolean;
    } = {},
  ): { url: string; state: string; nonce: string } {
    const state = options.state ?? randomString(16);
    const nonce = options.nonce ?? randomString(16);
    const scope = options.scope ?? this.options.scope;
    const prompt = options.forced
      ? "login"
      : scope.split(" ").includes("offline_access")
        ? "consent"
        : undefined;
    const qs = queryString({
      redirect_uri: options.redirectUri ?? this.options.redirectUri,
      response_mode: options.responseMode ?? "query",
      response_type: options.responseType ?? "code",
      client_id: this.options.appId,
      scope,
      state,
      nonce,
      code_challenge: options.codeChallenge,
      code_challenge_method: options.codeChallenge ? (options.codeChallengeMethod ?? "S256") : undefined,
      prompt,
    });
    return { url: `${this.options.appHost}${oidcPaths.authorize}?${qs}`, state, nonce };
  }

  /** `{appHost}/oidc/session/end?…` (docs/wire-contract.md §2.7). */
  buildLogoutUrl(options: { redirectUri?: string; idToken?: string; state?: string } = {}): string {
    const redirectUri = options.redirectUri ?? this.options.logoutRedirectUri;
    const qs = queryString({
      post_logout_redirect_uri: redirectUri,
      state: redirectUri ? options.state : undefined,
      id_token_hint: options.idToken,
    });
    return `${this.options.appHost}${oidcPaths.endSession}?${qs}`;
  }

  // ------------------------------------------------------------ passwords

  /** `GET /api/v3/system` — no envelope. */
  async getSystemInfo(): Promise<SystemInfo> {
    const res = await this.transport.request({
      method: "GET",
      path: authPaths.system,
      headers: { "x-authing-app-id": this.options.appId },
      idempotent: true,
    });
    const body = res.body as SystemInfo;
    if (res.status === 200 && typeof body?.rsa?.publicKey === "string") return body;
    const failure = isEnvelope(res.body) ? res.body : undefined;
    throw new GatehouseError({
      statusCode: failure?.statusCode ?? res.status,
      apiCode: failure?.apiCode,
      requestId: failure?.requestId,
      message: failure?.message ?? `Unexpected answer from ${authPaths.system} (HTTP ${res.status})`,
      body: res.body,
    });
  }

  /** The password as the server should receive it, with the encrypt type to declare (if any). */
  protected async preparePassword(
    password: string,
    declared: PasswordEncryptType | undefined,
  ): Promise<{ password: string; passwordEncryptType?: PasswordEncryptType }> {
    if (declared !== undefined || this.options.passwordEncryptType !== "rsa") {
      return { password, passwordEncryptType: declared };
    }
    this.rsaKey ??= this.getSystemInfo().then((info) => importRsaPublicKey(info.rsa.publicKey));
    this.rsaKey.catch(() => {
      this.rsaKey = undefined;
    });
    return { password: await encryptPassword(await this.rsaKey, password), passwordEncryptType: "rsa" };
  }
}
