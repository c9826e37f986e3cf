import type {
  AccessibleAppDto,
  AuthorizedResourceDto,
  CheckPermissionData,
  CountryDto,
  ExtIdpInfoDto,
  GroupDto,
  IdentityDto,
  ResourcePermissionListData,
  ResourceType,
  RoleDto,
  UserDto,
} from "@gatehouse/protocol";
import { authPaths } from "@gatehouse/protocol";
import { AuthenticationCore } from "./client-core.js";
import type { Envelope } from "./errors.js";
import type {
  BindEmailDto,
  BindPhoneDto,
  DeleteAccountDto,
  GetSecurityInfoDto,
  LoggedInAppDto,
  LoginHistoryDto,
  LoginTokenResponseDataDto,
  Paginated,
  PreCheckCodeDataDto,
  PreCheckCodeDto,
  ResetPasswordDto,
  SendEmailDto,
  SendSmsDto,
  SignInOptionsDto,
  SigninByCredentialsDto,
  SignUpDto,
  SignUpOptionsDto,
  SignUpProfileDto,
  SuccessDto,
  UnbindEmailDto,
  UnbindPhoneDto,
  UpdateEmailDto,
  UpdatePasswordDto,
  UpdatePhoneDto,
  UpdateUserProfileDto,
  ValidatePasswordDto,
  VerifyDeleteAccountRequestDto,
  VerifyResetPasswordRequestDto,
  VerifyUpdateEmailRequestDto,
  VerifyUpdatePhoneRequestDto,
} from "./types.js";

type Password<T> = T & { password: string; options?: SignInOptionsDto };
type SignUpExtras = { profile?: SignUpProfileDto; options?: SignUpOptionsDto };

/**
 * The GenAuth AuthenticationClient surface Gatehouse implements, with the official method names.
 * Every `/api/v3` method resolves to the envelope `{statusCode, message, data}`; by default a
 * non-200 `statusCode` throws `GatehouseError` instead (`throwOnError: false` returns it).
 */
export class AuthenticationClient extends AuthenticationCore {
  // ------------------------------------------------------------ sign-up (docs/wire-contract.md §3a)

  async signUp(dto: SignUpDto): Promise<Envelope<UserDto>> {
    let body = dto;
    if (dto.passwordPayload) {
      const p = await this.preparePassword(dto.passwordPayload.password, dto.options?.passwordEncryptType);
      body = {
        ...dto,
        passwordPayload: { ...dto.passwordPayload, password: p.password },
        options: p.passwordEncryptType
          ? { ...dto.options, passwordEncryptType: p.passwordEncryptType }
          : dto.options,
      };
    }
    return this.api("POST", authPaths.signup, { body });
  }

  signUpByEmailPassword(req: { email: string; password: string } & SignUpExtras) {
    const { email, password, profile, options } = req;
    return this.signUp({ connection: "PASSWORD", passwordPayload: { password, email }, profile, options });
  }

  signUpByUsernamePassword(req: { username: string; password: string } & SignUpExtras) {
    const { username, password, profile, options } = req;
    return this.signUp({ connection: "PASSWORD", passwordPayload: { password, username }, profile, options });
  }

  signUpByEmailCode(req: { email: string; passCode: string } & SignUpExtras) {
    const { email, passCode, profile, options } = req;
    return this.signUp({ connection: "PASSCODE", passCodePayload: { passCode, email }, profile, options });
  }

  signUpByPhoneCode(req: { phone: string; phoneCountryCode?: string; passCode: string } & SignUpExtras) {
    const { phone, phoneCountryCode, passCode, profile, options } = req;
    return this.signUp({
      connection: "PASSCODE",
      passCodePayload: { passCode, phone, phoneCountryCode },
      profile,
      options,
    });
  }

  // ------------------------------------------------------------ sign-in (docs/wire-contract.md §3a, §1.3)

  /** `POST /api/v3/signin` as given; keeps the returned tokens for later calls. */
  async signInByCredentials(dto: SigninByCredentialsDto): Promise<Envelope<LoginTokenResponseDataDto>> {
    let body = dto;
    if (dto.passwordPayload) {
      const p = await this.preparePassword(dto.passwordPayload.password, dto.options?.passwordEncryptType);
      body = {
        ...dto,
        passwordPayload: { ...dto.passwordPayload, password: p.password },
        options: p.passwordEncryptType
          ? { ...dto.options, passwordEncryptType: p.passwordEncryptType }
          : dto.options,
      };
    }
    const basic = this.options.tokenEndPointAuthMethod === "client_secret_basic";
    const res = await this.api<LoginTokenResponseDataDto>("POST", authPaths.signin, { body, basic });
    if (res.statusCode === 200) this.keepTokens(res.data);
    return res;
  }

  /** The wrappers add client_id/client_secret to the body in client_secret_post mode, as the official SDK does. */
  private signInWith(dto: SigninByCredentialsDto) {
    if ((this.options.tokenEndPointAuthMethod ?? "client_secret_post") === "client_secret_post") {
      dto.client_id = this.options.appId;
      dto.client_secret = this.options.appSecret;
    }
    return this.signInByCredentials(dto);
  }

  signInByEmailPassword(req: Password<{ email: string }>) {
    const { email, password, options } = req;
    return this.signInWith({ connection: "PASSWORD", passwordPayload: { password, email }, options });
  }

  signInByPhonePassword(req: Password<{ phone: string }>) {
    const { phone, password, options } = req;
    return this.signInWith({ connection: "PASSWORD", passwordPayload: { password, phone }, options });
  }

  signInByUsernamePassword(req: Password<{ username: string }>) {
    const { username, password, options } = req;
    return this.signInWith({ connection: "PASSWORD", passwordPayload: { password, username }, options });
  }

  signInByAccountPassword(req: Password<{ account: string }>) {
    const { account, password, options } = req;
    return this.signInWith({ connection: "PASSWORD", passwordPayload: { password, account }, options });
  }

  signInByEmailPassCode(req: { email: string; passCode: string; options?: SignInOptionsDto }) {
    const { email, passCode, options } = req;
    return this.signInWith({ connection: "PASSCODE", passCodePayload: { email, passCode }, options });
  }

  signInByPhonePassCode(req: {
    phone: string;
    phoneCountryCode?: string;
    passCode: string;
    options?: SignInOptionsDto;
  }) {
    const { phone, phoneCountryCode, passCode, options } = req;
    return this.signInWith({
      connection: "PASSCODE",
      passCodePayload: { phone, phoneCountryCode, passCode },
      options,
    });
  }

  // ------------------------------------------------------------ messages (docs/wire-contract.md §3b)

  sendSms(dto: SendSmsDto): Promise<Envelope<undefined>> {
    return this.api("POST", authPaths.sendSms, { body: dto });
  }

  sendEmail(dto: SendEmailDto): Promise<Envelope<undefined>> {
    return this.api("POST", authPaths.sendEmail, { body: dto });
  }

  /** Checks a code without consuming it. */
  preCheckCode(dto: PreCheckCodeDto): Promise<Envelope<PreCheckCodeDataDto>> {
    return this.api("POST", authPaths.preCheckCode, { body: dto });
  }

  // ------------------------------------------------------------ user information (docs/wire-contract.md §3c)

  getProfile(
    query: { withCustomData?: boolean; withIdentities?: boolean; withDepartmentIds?: boolean } = {},
  ): Promise<Envelope<UserDto>> {
    const { withCustomData = false, withIdentities = false, withDepartmentIds = false } = query;
    return this.api("GET", authPaths.getProfile, {
      query: { withCustomData, withIdentities, withDepartmentIds },
    });
  }

  updateProfile(dto: UpdateUserProfileDto): Promise<Envelope<UserDto>> {
    return this.api("POST", authPaths.updateProfile, { body: dto });
  }

  bindEmail(dto: BindEmailDto): Promise<Envelope<undefined>> {
    return this.api("POST", authPaths.bindEmail, { body: dto });
  }

  unbindEmail(dto: UnbindEmailDto): Promise<Envelope<undefined>> {
    return this.api("POST", authPaths.unbindEmail, { body: dto });
  }

  bindPhone(dto: BindPhoneDto): Promise<Envelope<undefined>> {
    return this.api("POST", authPaths.bindPhone, { body: dto });
  }

  unbindPhone(dto: UnbindPhoneDto): Promise<Envelope<undefined>> {
    return this.api("POST", authPaths.unbindPhone, { body: dto });
  }

  getSecurityLevel(): Promise<Envelope<GetSecurityInfoDto>> {
    return this.api("GET", authPaths.getSecurityInfo);
  }

  async updatePassword(dto: UpdatePasswordDto): Promise<Envelope<undefined>> {
    const next = await this.preparePassword(dto.newPassword, dto.passwordEncryptType);
    const old =
      dto.oldPassword === undefined
        ? undefined
        : await this.preparePassword(dto.oldPassword, dto.passwordEncryptType);
    const body: UpdatePasswordDto = {
      ...dto,
      newPassword: next.password,
      oldPassword: old?.password,
      passwordEncryptType: next.passwordEncryptType,
    };
    return this.api("POST", authPaths.updatePassword, { body });
  }

  verifyUpdateEmailRequest(
    dto: VerifyUpdateEmailRequestDto,
  ): Promise<Envelope<{ updateEmailToken: string; tokenExpiresIn: number }>> {
    return this.api("POST", authPaths.verifyUpdateEmailRequest, { body: dto });
  }

  updateEmail(dto: UpdateEmailDto): Promise<Envelope<SuccessDto>> {
    return this.api("POST", authPaths.updateEmail, { body: dto });
  }

  verifyUpdatePhoneRequest(
    dto: VerifyUpdatePhoneRequestDto,
  ): Promise<Envelope<{ updatePhoneToken: string; tokenExpiresIn: number }>> {
    return this.api("POST", authPaths.verifyUpdatePhoneRequest, { body: dto });
  }

  updatePhone(dto: UpdatePhoneDto): Promise<Envelope<SuccessDto>> {
    return this.api("POST", authPaths.updatePhone, { body: dto });
  }

  /** Forgot-password step 1 (no signed-in user needed). */
  verifyResetPasswordRequest(
    dto: VerifyResetPasswordRequestDto,
  ): Promise<Envelope<{ passwordResetToken: string; tokenExpiresIn: number }>> {
    return this.api("POST", authPaths.verifyResetPasswordRequest, { body: dto });
  }

  async resetPassword(dto: ResetPasswordDto): Promise<Envelope<SuccessDto>> {
    const p = await this.preparePassword(dto.password, dto.passwordEncryptType);
    return this.api("POST", authPaths.resetPassword, { body: { ...dto, ...p } });
  }

  async verifyDeleteAccountRequest(
    dto: VerifyDeleteAccountRequestDto,
  ): Promise<Envelope<{ deleteAccountToken: string; tokenExpiresIn: number }>> {
    let body = dto;
    if (dto.passwordPayload) {
      const p = await this.preparePassword(
        dto.passwordPayload.password,
        dto.passwordPayload.passwordEncryptType,
      );
      body = { ...dto, passwordPayload: p };
    }
    return this.api("POST", authPaths.verifyDeleteAccountRequest, { body });
  }

  /** Deletes the signed-in user; the kept tokens are forgotten on success. */
  async deleteAccount(dto: DeleteAccountDto): Promise<Envelope<SuccessDto>> {
    const res = await this.api<SuccessDto>("POST", authPaths.deleteAccount, { body: dto });
    if (res.statusCode === 200) this.setTokenSet(undefined);
    return res;
  }

  async validatePassword(dto: ValidatePasswordDto): Promise<Envelope<{ valid: boolean }>> {
    let body = dto;
    if (dto.password !== undefined) {
      body = { ...dto, ...(await this.preparePassword(dto.password, dto.passwordEncryptType)) };
    }
    return this.api("POST", authPaths.validatePassword, { body });
  }

  // ------------------------------------------------------------ user resources (docs/wire-contract.md §3f)

  getLoginHistory(
    query: {
      appId?: string;
      clientIp?: string;
      success?: boolean;
      start?: number;
      end?: number;
      page?: number;
      limit?: number;
    } = {},
  ): Promise<Envelope<Paginated<LoginHistoryDto>>> {
    const { page = 1, limit = 10, ...rest } = query;
    return this.api("GET", authPaths.getMyLoginHistory, { query: { ...rest, page, limit } });
  }

  getLoggedInApps(): Promise<Envelope<LoggedInAppDto[]>> {
    return this.api("GET", authPaths.getMyLoggedInApps);
  }

  // ------------------------------------------------------------ account binding (docs/social-sign-in.md#account-binding)

  /**
   * A URL the user's browser opens to link the connection's upstream account to the user the
   * `idToken` (of `appId`) names. The query is snake_case on the wire, as the official SDK sends it.
   */
  generateLinkExtIdpUrl(query: {
    extIdpConnIdentifier: string;
    appId: string;
    idToken: string;
    needUrlRedirect?: string;
    onlyRedirectToken?: string;
    needFormPost?: string;
    targetUrl?: string;
  }): Promise<Envelope<{ url: string }>> {
    return this.api("GET", authPaths.generateLinkExtIdpUrl, {
      query: {
        ext_idp_conn_identifier: query.extIdpConnIdentifier,
        app_id: query.appId,
        id_token: query.idToken,
        need_url_redirect: query.needUrlRedirect,
        only_redirect_token: query.onlyRedirectToken,
        need_form_post: query.needFormPost,
        target_url: query.targetUrl,
      },
    });
  }

  /** Removes the user's identities at the provider (its id, not a connection's); never the last way to sign in. */
  unlinkExtIdp(body: { extIdpId: string }): Promise<Envelope<undefined>> {
    return this.api("POST", authPaths.unlinkExtIdp, { body });
  }

  getIdentities(): Promise<Envelope<IdentityDto[]>> {
    return this.api("GET", authPaths.getIdentities);
  }

  /** The connections the application's sign-in offers, each with its `bindUrl`. */
  getApplicationEnabledExtIdps(): Promise<Envelope<ExtIdpInfoDto[]>> {
    return this.api("GET", authPaths.getApplicationEnabledExtIdps);
  }

  // ------------------------------------------------------------ roles, groups, permissions (docs/authorization.md)

  getRoleList(query: { namespace?: string } = {}): Promise<Envelope<RoleDto[]>> {
    return this.api("GET", authPaths.getMyRoleList, { query });
  }

  getGroupList(): Promise<Envelope<GroupDto[]>> {
    return this.api("GET", authPaths.getMyGroupList);
  }

  getAuthorizedResources(
    query: { namespace?: string; resourceType?: ResourceType } = {},
  ): Promise<Envelope<Paginated<AuthorizedResourceDto>>> {
    return this.api("GET", authPaths.getMyAuthorizedResources, { query });
  }

  getAccessibleApps(): Promise<Envelope<AccessibleAppDto[]>> {
    return this.api("GET", authPaths.getMyAccessibleApps);
  }

  /** May the user take `action` on each string resource (in the namespace of this application)? */
  checkPermissionByStringResource(body: {
    resources: string[];
    action: string;
  }): Promise<Envelope<CheckPermissionData>> {
    return this.api("POST", authPaths.checkPermissionStringResource, { body });
  }

  checkPermissionByArrayResource(body: {
    resources: string[];
    action: string;
  }): Promise<Envelope<CheckPermissionData>> {
    return this.api("POST", authPaths.checkPermissionArrayResource, { body });
  }

  /** Tree paths (`code/node/…`) inherit from their ancestors unless a deeper node says otherwise. */
  checkPermissionByTreeResource(body: {
    resources: string[];
    action: string;
  }): Promise<Envelope<CheckPermissionData>> {
    return this.api("POST", authPaths.checkPermissionTreeResource, { body });
  }

  getUserAuthResourcePermissionList(body: {
    resources: string[];
  }): Promise<Envelope<ResourcePermissionListData>> {
    return this.api("POST", authPaths.getUserAuthResourcePermissionList, { body });
  }

  // ------------------------------------------------------------ public (docs/wire-contract.md §3h)

  getCountryList(): Promise<Envelope<CountryDto[]>> {
    return this.api("GET", authPaths.getCountryList);
  }
}
