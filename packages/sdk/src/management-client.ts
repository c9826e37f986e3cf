import type {
  CreateExtIdpConnRequest,
  CreateExtIdpRequest,
  ExtIdpConnDto,
  ExtIdpDetailDto,
  ExtIdpDto,
  IdentityDto,
  LinkIdentityRequest,
  UnlinkIdentityRequest,
  UpdateExtIdpConnRequest,
  UpdateExtIdpRequest,
  UserDto,
} from "@gatehouse/protocol";
import { managementPaths } from "@gatehouse/protocol";
import { type Envelope, GatehouseError } from "./errors.js";
import { authorizationHeader, importHmacKey, makeNonce, stringToSign } from "./signature.js";
import { type FetchLike, normaliseHost, Transport } from "./transport.js";
import type {
  ApplicationDto,
  CreateApplicationDto,
  CreateUserBatchReqDto,
  CreateUserReqDto,
  CustomFieldDto,
  CustomFieldTarget,
  IsUserExistsReqDto,
  ListUsersRequestDto,
  MfaSettingsDto,
  MfaSettingsUpdateDto,
  Paginated,
  SecuritySettingsDto,
  SetCustomFieldsReqDto,
  SuccessDto,
  UpdateApplicationDto,
  UpdateSecuritySettingsDto,
  UpdateUserReqDto,
  UserIdType,
  UserLoggedInAppDto,
  UserLoginHistoryDto,
  UserStatus,
} from "./types.js";
import { SDK_VERSION } from "./version.js";

/** The official option names (authing-node-sdk ManagementClientOptions). */
export interface ManagementClientOptions {
  /** The user pool id (or an extra access key id). */
  accessKeyId: string;
  accessKeySecret: string;
  /** Gatehouse's base URL, e.g. `https://id.example.com` (default: GenAuth's cloud, like the official SDK). */
  host?: string;
  /** Sent as `x-authing-app-id` (the official SDK's misnamed option). */
  tenantId?: string;
  lang?: "zh-CN" | "en-US";
  /** Milliseconds (default 10 000). */
  timeout?: number;
  /** Default true: a non-200 `statusCode` throws `GatehouseError`; false returns the envelope as is. */
  throwOnError?: boolean;
  fetch?: FetchLike;
  /** Extra attempts for GETs on transient failures (default 2). */
  retries?: number;
  /** First retry delay in ms, doubling per attempt (default 200). */
  retryDelay?: number;
}

type UserRef = { userId: string; userIdType?: UserIdType };
type Flags = {
  withCustomData?: boolean;
  flatCustomData?: boolean;
  withIdentities?: boolean;
  withDepartmentIds?: boolean;
};

/**
 * Administers a pool with signed access-key requests, byte-for-byte the way authing-node-sdk 4.0.1
 * signs them (HMAC-SHA1 via WebCrypto, docs/wire-contract.md §1.4). Server-side only: it holds a secret.
 */
export class ManagementClient {
  private readonly transport: Transport;
  private readonly key: Promise<CryptoKey>;
  private readonly throwOnError: boolean;

  constructor(private readonly options: ManagementClientOptions) {
    if (!options.accessKeyId || !options.accessKeySecret) {
      throw new Error("Init ManagementClient failed: accessKeyId and accessKeySecret are required");
    }
    this.throwOnError = options.throwOnError ?? true;
    this.transport = new Transport({
      baseUrl: normaliseHost(options.host ?? "https://api.authing.cn"),
      timeout: options.timeout,
      retries: options.retries,
      retryDelay: options.retryDelay,
      fetch: options.fetch,
    });
    this.key = importHmacKey(options.accessKeySecret);
  }

  /** A signed request to any management endpoint (the official `makeRequest` escape hatch). */
  async request<T>(
    method: "GET" | "POST",
    path: string,
    params: Record<string, unknown> = {},
  ): Promise<Envelope<T>> {
    const res = await this.transport.request({
      method,
      path,
      headers: () => this.signedHeaders(method, path, params),
      ...(method === "GET" ? { query: params } : { json: params }),
      idempotent: method === "GET",
      transient: (_status, body) => (body as Envelope<unknown> | undefined)?.statusCode === 503,
    });
    const body = res.body as Envelope<T>;
    if (typeof body !== "object" || body === null || typeof body.statusCode !== "number") {
      throw new GatehouseError({
        statusCode: res.status,
        message: `Unexpected answer (HTTP ${res.status})`,
        body,
      });
    }
    if (body.statusCode !== 200 && this.throwOnError) throw GatehouseError.fromEnvelope(body);
    return body;
  }

  /** Fresh nonce and date, then the signature over them (a retried GET is signed again). */
  private async signedHeaders(method: string, path: string, params: Record<string, unknown>) {
    const headers: Record<string, string> = {
      accept: "application/json",
      "content-type": "application/json",
      "x-authing-signature-nonce": makeNonce(),
      "x-authing-signature-method": "HMAC-SHA1",
      "x-authing-signature-version": "1.0",
      "x-authing-sdk-version": `gatehouse-sdk:${SDK_VERSION}`,
      "x-authing-lang": this.options.lang ?? "zh-CN",
      date: new Date().toUTCString(),
    };
    if (this.options.tenantId) headers["x-authing-app-id"] = this.options.tenantId;
    headers.authorization = await authorizationHeader(
      this.options.accessKeyId,
      await this.key,
      stringToSign(method, path, headers, params),
    );
    return headers;
  }

  // ------------------------------------------------------------ users (docs/wire-contract.md §4)

  createUser(dto: CreateUserReqDto): Promise<Envelope<UserDto>> {
    return this.request("POST", managementPaths.createUser, { ...dto });
  }

  createUsersBatch(dto: CreateUserBatchReqDto): Promise<Envelope<UserDto[]>> {
    return this.request("POST", managementPaths.createUsersBatch, { ...dto });
  }

  getUser(q: UserRef & Flags & { withPost?: boolean }): Promise<Envelope<UserDto>> {
    const { userId, userIdType = "user_id", flatCustomData = false, withCustomData = false } = q;
    const { withPost = false, withIdentities = false, withDepartmentIds = false } = q;
    return this.request("GET", managementPaths.getUser, {
      userId,
      userIdType,
      flatCustomData,
      withCustomData,
      withPost,
      withIdentities,
      withDepartmentIds,
    });
  }

  getUserBatch(q: { userIds: string[]; userIdType?: UserIdType } & Flags): Promise<Envelope<UserDto[]>> {
    const { userIds, userIdType = "user_id", withCustomData = false, flatCustomData = false } = q;
    const { withIdentities = false, withDepartmentIds = false } = q;
    return this.request("GET", managementPaths.getUserBatch, {
      userIds,
      userIdType,
      withCustomData,
      flatCustomData,
      withIdentities,
      withDepartmentIds,
    });
  }

  listUsers(dto: ListUsersRequestDto = {}): Promise<Envelope<Paginated<UserDto>>> {
    return this.request("POST", managementPaths.listUsers, { ...dto });
  }

  /** The deprecated GET variant of list-users. */
  listUsersLegacy(
    q: {
      page?: number;
      limit?: number;
      status?: UserStatus;
      updatedAtStart?: number;
      updatedAtEnd?: number;
      withPost?: boolean;
      withUserPasswordExpireTime?: boolean;
    } & Omit<Flags, "flatCustomData"> = {},
  ): Promise<Envelope<Paginated<UserDto>>> {
    const { page = 1, limit = 10, status, updatedAtStart, updatedAtEnd, withCustomData = false } = q;
    const { withPost = false, withIdentities = false, withDepartmentIds = false } = q;
    return this.request("GET", managementPaths.listUsers, {
      page,
      limit,
      status,
      updatedAtStart,
      updatedAtEnd,
      withCustomData,
      withPost,
      withIdentities,
      withDepartmentIds,
      withUserPasswordExpireTime: q.withUserPasswordExpireTime ?? false,
    });
  }

  updateUser(dto: UpdateUserReqDto): Promise<Envelope<UserDto>> {
    return this.request("POST", managementPaths.updateUser, { ...dto });
  }

  deleteUsersBatch(dto: {
    userIds: string[];
    options?: { userIdType?: UserIdType };
  }): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.deleteUsersBatch, { ...dto });
  }

  isUserExists(dto: IsUserExistsReqDto): Promise<Envelope<{ exists: boolean }>> {
    return this.request("POST", managementPaths.isUserExists, { ...dto });
  }

  getUserIdentities(q: UserRef): Promise<Envelope<IdentityDto[]>> {
    return this.request("GET", managementPaths.getUserIdentities, {
      userId: q.userId,
      userIdType: q.userIdType ?? "user_id",
    });
  }

  getUserLoginHistory(
    q: UserRef & {
      appId?: string;
      clientIp?: string;
      start?: number;
      end?: number;
      page?: number;
      limit?: number;
    },
  ): Promise<Envelope<Paginated<UserLoginHistoryDto>>> {
    const { userId, userIdType = "user_id", appId, clientIp, start, end, page = 1, limit = 10 } = q;
    return this.request("GET", managementPaths.getUserLoginHistory, {
      userId,
      userIdType,
      appId,
      clientIp,
      start,
      end,
      page,
      limit,
    });
  }

  getUserLoggedinApps(q: UserRef): Promise<Envelope<UserLoggedInAppDto[]>> {
    return this.request("GET", managementPaths.getUserLoggedinApps, {
      userId: q.userId,
      userIdType: q.userIdType ?? "user_id",
    });
  }

  /** Ends the user's sessions in the given apps. */
  kickUsers(dto: {
    appIds: string[];
    userId: string;
    options?: { userIdType?: UserIdType };
  }): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.kickUsers, { ...dto });
  }

  /** Links an upstream account to the user; the administrator vouches for `userIdInIdp`. */
  linkIdentity(dto: LinkIdentityRequest): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.linkIdentity, { ...dto });
  }

  unlinkIdentity(dto: UnlinkIdentityRequest): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.unlinkIdentity, { ...dto });
  }

  // ------------------------------------------------------------ external identity providers (docs/social-sign-in.md)

  listExtIdp(
    q: { tenantId?: string; appId?: string } = {},
  ): Promise<Envelope<{ totalCount: number; list: ExtIdpDto[] }>> {
    return this.request("GET", managementPaths.listExtIdp, { tenantId: q.tenantId, appId: q.appId });
  }

  getExtIdp(q: {
    id: string;
    tenantId?: string;
    appId?: string;
    type?: "social" | "enterprise";
  }): Promise<Envelope<ExtIdpDetailDto>> {
    return this.request("GET", managementPaths.getExtIdp, {
      id: q.id,
      tenantId: q.tenantId,
      appId: q.appId,
      type: q.type,
    });
  }

  createExtIdp(dto: CreateExtIdpRequest): Promise<Envelope<ExtIdpDto>> {
    return this.request("POST", managementPaths.createExtIdp, { ...dto });
  }

  updateExtIdp(dto: UpdateExtIdpRequest): Promise<Envelope<ExtIdpDto>> {
    return this.request("POST", managementPaths.updateExtIdp, { ...dto });
  }

  /** The provider goes with its connections and every identity linked through it. */
  deleteExtIdp(dto: { id: string; tenantId?: string }): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.deleteExtIdp, { ...dto });
  }

  /** `fields.clientSecret` is sealed by the server and never returned. */
  createExtIdpConn(dto: CreateExtIdpConnRequest): Promise<Envelope<ExtIdpConnDto>> {
    return this.request("POST", managementPaths.createExtIdpConn, { ...dto });
  }

  /** `fields` change key by key. */
  updateExtIdpConn(dto: UpdateExtIdpConnRequest): Promise<Envelope<ExtIdpConnDto>> {
    return this.request("POST", managementPaths.updateExtIdpConn, { ...dto });
  }

  deleteExtIdpConn(dto: { id: string; tenantId?: string }): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.deleteExtIdpConn, { ...dto });
  }

  /** Switches the connection on or off for `appId` (and `appIds`). */
  changeExtIdpConnState(dto: {
    id: string;
    enabled: boolean;
    appId: string;
    appIds?: string[];
    tenantId?: string;
  }): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.changeExtIdpConnState, { ...dto });
  }

  /** Associated, the connection is on for every application of the pool. */
  changeExtIdpConnAssociationState(dto: {
    id: string;
    association: boolean;
    tenantId?: string;
  }): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.changeExtIdpConnAssociationState, { ...dto });
  }

  // ------------------------------------------------------------ applications

  createApplication(dto: CreateApplicationDto): Promise<Envelope<ApplicationDto>> {
    return this.request("POST", managementPaths.createApplication, { ...dto });
  }

  listApplications(
    q: {
      page?: number;
      limit?: number;
      isIntegrateApp?: boolean;
      isSelfBuiltApp?: boolean;
      ssoEnabled?: boolean;
      keywords?: string;
      all?: boolean;
    } = {},
  ): Promise<Envelope<Paginated<ApplicationDto>>> {
    const { page = 1, limit = 10, isIntegrateApp = false, isSelfBuiltApp = false, ssoEnabled = false } = q;
    return this.request("GET", managementPaths.listApplications, {
      page,
      limit,
      isIntegrateApp,
      isSelfBuiltApp,
      ssoEnabled,
      keywords: q.keywords,
      all: q.all,
    });
  }

  getApplication(q: { appId: string }): Promise<Envelope<ApplicationDto>> {
    return this.request("GET", managementPaths.getApplication, { appId: q.appId });
  }

  updateApplication(dto: UpdateApplicationDto): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.updateApplication, { ...dto });
  }

  deleteApplication(dto: { appId: string }): Promise<Envelope<SuccessDto>> {
    return this.request("POST", managementPaths.deleteApplication, { ...dto });
  }

  getApplicationSecret(q: { appId: string }): Promise<Envelope<{ secret: string }>> {
    return this.request("GET", managementPaths.getApplicationSecret, { appId: q.appId });
  }

  refreshApplicationSecret(dto: { appId: string }): Promise<Envelope<{ secret: string }>> {
    return this.request("POST", managementPaths.refreshApplicationSecret, { ...dto });
  }

  // ------------------------------------------------------------ pool settings

  getSecuritySettings(): Promise<Envelope<SecuritySettingsDto>> {
    return this.request("GET", managementPaths.getSecuritySettings);
  }

  updateSecuritySettings(dto: UpdateSecuritySettingsDto): Promise<Envelope<SecuritySettingsDto>> {
    return this.request("POST", managementPaths.updateSecuritySettings, { ...dto });
  }

  getGlobalMfaSettings(): Promise<Envelope<MfaSettingsDto>> {
    return this.request("GET", managementPaths.getGlobalMfaSettings);
  }

  updateGlobalMfaSettings(dto: MfaSettingsUpdateDto): Promise<Envelope<MfaSettingsDto>> {
    return this.request("POST", managementPaths.updateGlobalMfaSettings, { ...dto });
  }

  getCustomFields(q: {
    targetType: CustomFieldTarget;
    tenantId?: string;
  }): Promise<Envelope<CustomFieldDto[]>> {
    return this.request("GET", managementPaths.getCustomFields, {
      targetType: q.targetType,
      tenantId: q.tenantId,
    });
  }

  setCustomFields(dto: SetCustomFieldsReqDto): Promise<Envelope<CustomFieldDto[]>> {
    return this.request("POST", managementPaths.setCustomFields, { ...dto });
  }
}
