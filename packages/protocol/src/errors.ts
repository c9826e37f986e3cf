/** The languages answers are given in: GenAuth's two (docs/behaviour-and-errors.md §3.7). */
export const LANGUAGES = ["zh-CN", "en-US"] as const;
export type Language = (typeof LANGUAGES)[number];

/** One text in every language; `{name}` placeholders are filled in by `errorText`. */
export type Texts = { readonly [L in Language]: string };

/**
 * The one registry of API errors: key → statusCode, apiCode, and the message in each language
 * (GenAuth's wording where it is known). statusCode and apiCode never depend on the language.
 * Numbers follow GenAuth's published tables (docs/behaviour-and-errors.md §3);
 * the mapping for our flows is §3.5. Only the server's envelope plugin renders these.
 */
export interface ApiErrorDef {
  readonly statusCode: number;
  readonly apiCode?: number;
  readonly message: Texts;
}

/** An error GenAuth has no apiCode for (or Gatehouse's own). */
const plain = <S extends number>(statusCode: S, zh: string, en: string) => ({
  statusCode,
  message: { "zh-CN": zh, "en-US": en },
});
/** An error with GenAuth's apiCode. */
const coded = <S extends number, C extends number>(statusCode: S, apiCode: C, zh: string, en: string) => ({
  statusCode,
  apiCode,
  message: { "zh-CN": zh, "en-US": en },
});

export const apiErrors = {
  // generic request problems
  INVALID_REQUEST: plain(400, "请求参数不合法", "Invalid request"),
  // GenAuth's format error of a named parameter (a value that is not an email, a phone number…)
  PARAM_MALFORMED: plain(400, "参数 {field} 格式错误", "The {field} parameter is malformed"),
  MALFORMED_JSON: plain(400, "请求体不是合法的 JSON", "Request body is not valid JSON"),
  UNSUPPORTED_MEDIA_TYPE: plain(
    415,
    "不支持的内容类型，请发送 application/json",
    "Unsupported content type; send application/json",
  ),
  PAYLOAD_TOO_LARGE: plain(413, "请求体过大", "Request body is too large"),
  NOT_FOUND: plain(404, "接口不存在：{endpoint}", "No such endpoint: {endpoint}"),
  // A plain HTTP request to an address that only takes a WebSocket (the event streams)
  WEBSOCKET_REQUIRED: plain(
    426,
    "该接口只接受 WebSocket 连接",
    "This endpoint only accepts a WebSocket connection",
  ),
  RATE_LIMITED: plain(429, "请求过于频繁，请稍后重试", "Too many requests, try again later"),
  SERVICE_UNAVAILABLE: plain(503, "服务暂时不可用", "Service temporarily unavailable"),
  // GenAuth's "system busy, retry later" (§3.4)
  MESSAGE_SERVICE_BUSY: coded(
    503,
    1000,
    "系统繁忙，请稍后重试",
    "Too many messages are waiting for delivery; try again shortly",
  ),
  INTERNAL: plain(500, "服务器内部错误", "Internal server error"),
  NOT_IMPLEMENTED: plain(501, "Gatehouse 不支持此操作", "This operation is not supported by Gatehouse"),

  // application / pool resolution
  APP_ID_MISSING: coded(400, 2011, "缺少 x-authing-app-id 请求头", "Missing x-authing-app-id header"),
  APP_NOT_FOUND: coded(404, 2011, "应用不存在", "Application does not exist"),
  POOL_NOT_FOUND: coded(404, 2224, "用户池不存在", "User pool does not exist"),

  // user authentication
  TOKEN_MISSING: coded(401, 2020, "尚未登录：缺少 access token", "Not logged in: access token missing"),
  TOKEN_EXPIRED: coded(401, 2206, "access token 已过期", "Access token expired"),
  TOKEN_INVALID: coded(401, 2207, "access token 无效或已被撤销", "Access token invalid or revoked"),
  // bindUserTokens on: the token's scopes do not cover the call (RFC 6750 §3.1 insufficient_scope)
  TOKEN_SCOPE_INSUFFICIENT: plain(
    403,
    "access token 的权限范围（scope）不足以调用此接口",
    "Access token lacks the scope this call needs",
  ),
  // a valid client-credentials token at an endpoint that acts for a user (docs/oidc-tokens.md)
  TOKEN_NOT_A_USER: plain(
    403,
    "此 access token 是通过 client credentials 签发给机器的，不代表任何用户",
    "This access token was issued to a machine by client credentials and names no user",
  ),

  // sign-in / sign-up
  LOGIN_FAILED: coded(403, 2333, "账号不存在或密码错误", "Account not exists or password is incorrect."),
  ACCOUNT_LOCKED_FAILURES: coded(
    403,
    2057,
    "失败次数过多，账号已被暂时锁定",
    "Too many failed attempts; the account is temporarily locked",
  ),
  ACCOUNT_LOCKED: coded(403, 2005, "用户已被锁定", "User is locked"),
  ACCOUNT_SUSPENDED: coded(403, 2005, "用户已被停用", "User is suspended"),
  // GenAuth's code for an unverified email refused at sign-in (docs/behaviour-and-errors.md §4.6)
  EMAIL_NOT_VERIFIED: coded(
    403,
    2042,
    "邮箱未验证，请使用邮箱验证码登录或重置密码",
    "The email address is not verified; sign in with an email code or reset the password",
  ),
  PHONE_NOT_VERIFIED: plain(
    403,
    "手机号未验证，请使用短信验证码登录或重置密码",
    "The phone number is not verified; sign in with an SMS code or reset the password",
  ),
  USER_EXISTS: coded(409, 2026, "用户已存在", "User already exists"),
  // GenAuth's "login / registration too frequent" (docs/behaviour-and-errors.md §3.3)
  SIGN_UP_RATE_LIMITED: coded(
    429,
    1002,
    "注册过于频繁，请稍后重试",
    "Too many accounts created from here; try again later",
  ),
  REGISTER_DISABLED: coded(403, 2031, "此用户池已关闭注册", "Registration is disabled for this user pool"),
  WEAK_PASSWORD: coded(400, 2061, "密码不符合密码策略", "Password does not meet the password policy"),
  PASSWORD_DECRYPT_FAILED: plain(
    400,
    "无法使用服务器 RSA 密钥解密密码（见 GET /api/v3/system）",
    "Password could not be decrypted with the server RSA key (see GET /api/v3/system)",
  ),
  CLIENT_AUTH_FAILED: plain(401, "客户端认证失败", "Client authentication failed"),
  // the hosted pages of the OpenID Provider (docs/oidc-provider.md)
  INTERACTION_NOT_FOUND: plain(
    400,
    "此登录请求已过期或已被使用，请从应用重新开始",
    "This sign-in request has expired or was already used; start again from the application",
  ),
  LOGOUT_REQUEST_NOT_FOUND: plain(
    400,
    "此退出请求已过期或已被使用",
    "This sign-out request has expired or was already used",
  ),
  USER_NOT_FOUND: coded(404, 2004, "用户不存在", "User does not exist"),

  // verification codes
  CODE_WRONG: coded(400, 2001, "验证码不正确", "Verification code is incorrect"),
  CODE_EXPIRED: coded(400, 2300, "验证码已过期或已被使用", "Verification code has expired or was used up"),
  CODE_COOLDOWN: coded(
    429,
    2080,
    "一分钟内已向此地址发送过验证码，请稍后再试",
    "A code was sent to this address less than a minute ago; wait before asking again",
  ),
  CODE_HOURLY_CAP: plain(429, "验证码请求过多，请稍后重试", "Too many codes requested; try again later"),
  SMS_POOL_HOURLY_CAP: plain(
    429,
    "此用户池本小时发送的短信验证码过多，请稍后重试",
    "This user pool has sent too many SMS codes this hour; try again later",
  ),
  EMAIL_POOL_HOURLY_CAP: plain(
    429,
    "此用户池本小时发送的邮件验证码过多，请稍后重试",
    "This user pool has sent too many email codes this hour; try again later",
  ),
  INVALID_PHONE: plain(400, "手机号格式错误", "Phone number is not valid"),
  INVALID_EMAIL: plain(400, "邮箱格式错误", "Email address is not valid"),

  // profile
  PHONE_TAKEN: coded(409, 2035, "手机号已被其他用户绑定", "Phone number is already bound to another user"),
  EMAIL_TAKEN: coded(409, 2200, "邮箱已被其他用户绑定", "Email is already bound to another user"),
  USERNAME_TAKEN: coded(409, 2034, "用户名已存在", "Username is already taken"),
  // GenAuth publishes no code for a malformed username (nor for a malformed email or phone).
  USERNAME_INVALID: plain(400, "用户名格式错误", "Username is not valid"),
  PHONE_SAME_AS_CURRENT: coded(
    400,
    2230,
    "新手机号与当前手机号相同",
    "New phone number equals the current one",
  ),
  EMAIL_SAME_AS_CURRENT: coded(400, 2229, "新邮箱与当前邮箱相同", "New email equals the current one"),
  OLD_PHONE_MISMATCH: coded(
    400,
    2038,
    "旧手机号与用户的手机号不一致",
    "Old phone number does not match the user's",
  ),
  OLD_EMAIL_MISMATCH: coded(400, 2037, "旧邮箱与用户的邮箱不一致", "Old email does not match the user's"),
  OLD_PHONE_REQUIRED: coded(
    400,
    2228,
    "此用户池要求验证旧手机号（oldPhoneNumber 和 oldPhonePassCode）",
    "This user pool requires verifying the old phone number (oldPhoneNumber and oldPhonePassCode)",
  ),
  OLD_EMAIL_REQUIRED: coded(
    400,
    2227,
    "此用户池要求验证旧邮箱（oldEmail 和 oldEmailPassCode）",
    "This user pool requires verifying the old email (oldEmail and oldEmailPassCode)",
  ),
  PHONE_ALREADY_BOUND: coded(
    422,
    2035,
    "已绑定手机号，请使用 verify-update-phone-request 修改",
    "A phone number is already bound; use verify-update-phone-request to change it",
  ),
  EMAIL_ALREADY_BOUND: coded(
    422,
    2200,
    "已绑定邮箱，请使用 verify-update-email-request 修改",
    "An email is already bound; use verify-update-email-request to change it",
  ),
  NO_PHONE_BOUND: coded(
    422,
    2219,
    "尚未绑定手机号，请使用 bind-phone 绑定",
    "No phone number is bound; use bind-phone to add one",
  ),
  NO_EMAIL_BOUND: coded(
    422,
    2219,
    "尚未绑定邮箱，请使用 bind-email 绑定",
    "No email is bound; use bind-email to add one",
  ),
  LAST_LOGIN_METHOD: coded(
    422,
    2217,
    "不能移除用户最后一种登录方式",
    "Cannot remove the user's last way to sign in",
  ),
  OLD_PASSWORD_REQUIRED: coded(400, 2201, "oldPassword 不能为空", "oldPassword is required"),
  OLD_PASSWORD_WRONG: coded(403, 2203, "旧密码不正确", "Old password is incorrect"),
  PROFILE_EMAIL_ELSEWHERE: coded(
    400,
    2225,
    "update-profile 不能修改邮箱，请使用 bind-email，或 verify-update-email-request + update-email",
    "update-profile cannot change email; use bind-email, or verify-update-email-request + update-email",
  ),
  PROFILE_PHONE_ELSEWHERE: coded(
    400,
    2226,
    "update-profile 不能修改手机号，请使用 bind-phone，或 verify-update-phone-request + update-phone",
    "update-profile cannot change phone; use bind-phone, or verify-update-phone-request + update-phone",
  ),
  PROFILE_PASSWORD_ELSEWHERE: plain(
    400,
    "update-profile 不能修改密码，请使用 update-password",
    "update-profile cannot change the password; use update-password",
  ),
  PROFILE_FIELD_UNKNOWN: plain(
    400,
    "update-profile 不接受此字段",
    "update-profile does not accept this field",
  ),
  CUSTOM_FIELD_NOT_USER_EDITABLE: coded(
    403,
    2018,
    "此扩展字段不允许用户修改（userEditable 未开启）",
    "This custom field is not editable by users (userEditable is off)",
  ),
  PASSWORD_WRONG: coded(403, 2006, "密码不正确", "Password is incorrect"),
  DELETE_BY_PASSWORD_NOT_ALLOWED: plain(
    400,
    "此账号已绑定手机号或邮箱，请使用发送到该手机号或邮箱的验证码确认注销（PHONE_PASSCODE 或 EMAIL_PASSCODE）",
    "This account has a phone or email: confirm the deletion with a code sent to it (PHONE_PASSCODE or EMAIL_PASSCODE)",
  ),
  FLOW_TOKEN_INVALID: coded(
    400,
    2207,
    "token 无效、已过期或已被使用",
    "Token is invalid, expired or already used",
  ),

  // multi-factor authentication (docs/mfa.md)
  MFA_FACTOR_UNSUPPORTED: plain(
    400,
    "Gatehouse 不支持该 MFA 认证要素（支持 OTP、SMS、EMAIL）",
    "This MFA factor type is not supported by Gatehouse (OTP, SMS and EMAIL are)",
  ),
  MFA_FACTOR_NOT_ENABLED: plain(
    400,
    "用户池未开启该 MFA 认证要素（update-global-mfa-settings）",
    "This MFA factor is not enabled for the user pool (update-global-mfa-settings)",
  ),
  MFA_FACTOR_ENROLLED: plain(
    409,
    "已绑定该类型的 MFA 认证要素，请先解绑（reset-factor）",
    "This factor type is already enrolled; reset it (reset-factor) before enrolling again",
  ),
  MFA_FACTOR_NOT_FOUND: plain(404, "用户没有该 MFA 认证要素", "No such MFA factor for this user"),
  MFA_PROFILE_REQUIRED: plain(
    400,
    "SMS 需要 profile.phoneNumber，EMAIL 需要 profile.email",
    "profile.phoneNumber (SMS) or profile.email (EMAIL) is required for this factor",
  ),
  MFA_ENROLLMENT_TOKEN_INVALID: coded(
    400,
    2207,
    "enrollmentToken 无效、已过期、已使用或不属于该认证要素",
    "enrollmentToken is invalid, expired, already used or for another factor",
  ),
  MFA_TOTP_NOT_ENROLLED: plain(400, "用户未绑定 OTP", "The user has no OTP factor enrolled"),
  MFA_TOTP_WRONG: coded(
    400,
    6001,
    "OTP 验证码不正确或已使用",
    "The TOTP code is incorrect or was already used",
  ),
  MFA_RECOVERY_CODE_WRONG: coded(400, 6002, "恢复码不正确", "The recovery code is incorrect"),
  MFA_LOCKED: coded(
    403,
    2057,
    "MFA 验证码错误次数过多，请稍后再试",
    "Too many wrong second-factor codes; MFA is locked for this account for a while",
  ),
  MFA_OTP_SECRET_INVALID: plain(
    400,
    "otp.secret 必须是至少 80 位的 base32 密钥",
    "otp.secret must be a base32 secret of at least 80 bits",
  ),
  // the API's MFA step (docs/mfa.md §The API's MFA step): a 3xx statusCode says "the sign-in
  // continues", as GenAuth's hosted login reads it; data carries the mfaToken
  MFA_REQUIRED: coded(
    302,
    1635,
    "请完成多因素认证（MFA）",
    "Multi-factor authentication required: prove one of your second factors with the mfaToken",
  ),
  MFA_REQUIRED_BY_APP: coded(
    302,
    1636,
    "应用要求多因素认证（MFA），请完成验证",
    "This application requires multi-factor authentication: complete it with the mfaToken",
  ),
  MFA_TOKEN_INVALID: coded(
    401,
    2021,
    "mfaToken 无效、已过期或已使用，请重新登录",
    "The mfaToken is invalid, expired or already used; sign in again",
  ),
  MFA_FACTOR_NOT_OWED: plain(
    400,
    "此次登录不能使用该 MFA 认证要素",
    "This second factor cannot complete this sign-in (the user does not have it, or the application does not enable it)",
  ),
  MFA_FRESH_PROOF_REQUIRED: plain(
    403,
    "解绑需要近期的验证：请先完成 MFA 验证（mfa-totp-verify）或重新登录，并在五分钟内重试",
    "Resetting a factor needs a recent proof: verify a second factor (mfa-totp-verify) or sign in again, then retry within five minutes",
  ),

  // the hosted account page (docs/account-page.md)
  SESSION_NOT_FOUND: plain(404, "会话不存在或已结束", "The session does not exist or has already ended"),
  REAUTH_REQUIRED: plain(
    401,
    "此操作需要近期的验证：请先再次确认身份",
    "This change needs a recent sign-in: confirm it is you first",
  ),

  // passkeys (docs/passkeys.md)
  WEBAUTHN_TICKET_INVALID: plain(
    400,
    "WebAuthn ticket 无效、已过期（5 分钟）或已被使用，请重新获取参数",
    "The WebAuthn ticket is unknown, expired (5 minutes) or already used; ask for new options",
  ),
  WEBAUTHN_RESPONSE_INVALID: plain(
    400,
    "认证器的响应未通过验证（来源、挑战码、签名或计数器不符）",
    "The authenticator's response did not verify (origin, challenge, signature or counter)",
  ),
  PASSKEY_UNKNOWN: plain(
    403,
    "此 Passkey 未在本用户池注册",
    "This passkey is not registered in this user pool",
  ),
  PASSKEY_NOT_FOUND: plain(404, "用户没有该 Passkey", "No such passkey for this user"),
  PASSKEY_EXISTS: plain(409, "此 Passkey 已注册", "This passkey is already registered"),
  PASSKEY_OTHER_USER: plain(
    403,
    "用户令牌只能管理该用户自己的 Passkey",
    "A user's access token manages only that user's own passkeys",
  ),
  DEVICE_NOT_FOUND: plain(404, "没有在该设备上的登录记录", "No sign-in from this device"),

  // management signature (docs/wire-contract.md §1.4)
  SIGNATURE_INVALID: coded(401, 1300, "AccessKey 签名无效", "Access key signature is invalid"),
  SIGNATURE_METHOD: coded(401, 1301, "不支持的签名方法", "Unsupported signature method"),
  SIGNATURE_VERSION: coded(401, 1302, "不支持的签名版本", "Unsupported signature version"),
  SIGNATURE_DATE_FORMAT: coded(401, 1303, "date 请求头格式错误", "Malformed date header"),
  SIGNATURE_DATE_MISSING: coded(401, 1304, "缺少 date 请求头", "Missing date header"),
  SIGNATURE_DATE_SKEW: coded(
    401,
    1305,
    "请求时间与服务器时间相差过大",
    "Request date is too far from server time",
  ),
  SIGNATURE_REPLAY: coded(401, 1306, "签名 nonce 已被使用", "Signature nonce was already used"),
  SIGNATURE_AMBIGUOUS: plain(
    400,
    "签名请求有歧义：其签名同样能验证另一个请求",
    "The signed request is ambiguous: its signature would verify another request too",
  ),

  // management API
  MANAGEMENT_AUTH_MISSING: coded(
    401,
    1300,
    "缺少管理凭证：请使用 AccessKey 签名请求（authorization: authing <accessKeyId>:<signature>）或发送 Authorization: Bearer <management token>",
    "Management credentials missing: sign the request with an access key (authorization: authing <accessKeyId>:<signature>) or send Authorization: Bearer <management token>",
  ),
  ACCESS_KEY_CREDENTIALS_INVALID: plain(
    401,
    "accessKeyId 或 accessKeySecret 不正确，或 AccessKey 已被禁用",
    "accessKeyId or accessKeySecret is incorrect, or the access key is disabled",
  ),
  ACCESS_KEY_NOT_FOUND: plain(404, "AccessKey 不存在", "Access key does not exist"),
  // webhooks (docs/events.md)
  WEBHOOK_NOT_FOUND: plain(404, "Webhook 不存在", "Webhook does not exist"),
  WEBHOOK_URL_INVALID: plain(400, "不允许使用此 Webhook 地址", "Webhook url is not allowed"),
  WEBHOOK_EVENT_UNKNOWN: plain(400, "未知的事件名称", "Unknown event name"),
  ACCESS_KEY_POOL_KEY: plain(
    422,
    "用户池自身的 id/secret 始终是有效的密钥，不能被禁用或删除",
    "The user pool's own id/secret is always a valid key; it cannot be disabled or deleted",
  ),
  MANAGEMENT_POOL_MISMATCH: plain(
    403,
    "x-authing-userpool-id 与 management token 所属的用户池不一致",
    "x-authing-userpool-id does not match the user pool of the management token",
  ),
  USER_ID_TYPE_UNSUPPORTED: plain(400, "不支持此 userIdType", "This userIdType is not supported"),
  USER_IDENTIFIER_REQUIRED: plain(
    400,
    "用户至少需要邮箱、手机号或用户名之一",
    "A user needs at least one of email, phone or username",
  ),
  EXTERNAL_ID_TAKEN: plain(409, "externalId 已被其他用户使用", "externalId is already used by another user"),
  EXTERNAL_ID_ADMIN_ONLY: plain(
    403,
    "externalId 只能由管理员设置（管理 API create-user/update-user、gatehouse user import），用户不能设置",
    "externalId is set by an administrator (management API create-user/update-user, gatehouse user import), not by the user",
  ),
  PASSWORD_HASH_INVALID: plain(
    400,
    "options.keepPassword 要求 password 为 bcrypt（$2a$/$2b$/$2y$）或 argon2（$argon2id$/$argon2i$/$argon2d$）哈希",
    "options.keepPassword expects a bcrypt ($2a$/$2b$/$2y$) or argon2 ($argon2id$/$argon2i$/$argon2d$) hash in password",
  ),
  CUSTOM_DATA_INVALID: plain(
    400,
    "customData 与用户池的扩展字段不匹配",
    "customData does not match the pool's custom fields",
  ),
  CUSTOM_DATA_TOO_LONG: plain(
    400,
    "customData 长度不能超过 1024 个字符",
    "customData must be less than 1024 characters",
  ),
  PHONE_REQUIRED: plain(400, "手机号不能为空", "phone cannot be empty"),
  USER_EXISTS_QUERY_EMPTY: plain(
    400,
    "username、email、phone、externalId 至少需要提供一个",
    "Give at least one of username, email, phone or externalId",
  ),
  CUSTOM_FIELD_INVALID: plain(400, "扩展字段定义不合法", "Invalid custom field definition"),
  USER_FILTER_INVALID: plain(400, "用户筛选条件不合法", "Invalid user filter"),
  APP_IDENTIFIER_TAKEN: coded(
    409,
    2039,
    "appIdentifier 已被此用户池的其他应用使用",
    "appIdentifier is already used by another application of this user pool",
  ),
  DEFAULT_APP_PROTECTED: plain(
    422,
    "不能删除用户池的默认应用（初始化时创建）",
    "The user pool's default application (from bootstrap) cannot be deleted",
  ),
  SETTINGS_INVALID: plain(400, "安全配置不合法", "Invalid security settings"),
  KEY_ROTATION_TOO_SOON: plain(
    409,
    "上一把签名密钥可能仍在签发有效的 token，现在轮换会使其提前失效",
    "The previous signing key may still sign live tokens; rotating now would retire it early",
  ),
  // authorization model (docs/authorization.md)
  NAMESPACE_NOT_FOUND: plain(404, "权限空间不存在", "Permission namespace does not exist"),
  NAMESPACE_EXISTS: plain(
    409,
    "权限空间 code 已存在",
    "A permission namespace with this code already exists",
  ),
  NAMESPACE_PROTECTED: plain(
    422,
    "默认权限空间不能删除或改名",
    "The default permission namespace cannot be deleted or renamed",
  ),
  ROLE_NOT_FOUND: plain(404, "角色不存在", "Role does not exist in this namespace"),
  ROLE_EXISTS: plain(
    409,
    "该权限空间下已存在此角色 code",
    "A role with this code already exists in this namespace",
  ),
  GROUP_NOT_FOUND: plain(404, "分组不存在", "Group does not exist"),
  GROUP_EXISTS: plain(409, "分组 code 已存在", "A group with this code already exists"),
  RESOURCE_NOT_FOUND: plain(404, "资源不存在", "Resource does not exist in this namespace"),
  RESOURCE_EXISTS: plain(
    409,
    "该权限空间下已存在此资源 code",
    "A resource with this code already exists in this namespace",
  ),
  DATA_POLICY_NOT_FOUND: plain(404, "数据策略不存在", "Data policy does not exist"),
  DATA_POLICY_EXISTS: plain(409, "数据策略名称已存在", "A data policy with this name already exists"),
  PERMISSION_INVALID: plain(
    400,
    "权限格式应为 <权限空间>/<资源>[/<树路径>]/<操作>，且数据资源须存在",
    "A permission is <namespace>/<resource>[/<tree path>]/<action> of an existing data resource",
  ),
  APP_ACCESS_DENIED: plain(
    403,
    "当前用户无权访问此应用",
    "The application does not allow this user (application access control)",
  ),
  TARGET_TYPE_UNSUPPORTED: plain(
    400,
    "此处不支持该授权主体类型（Gatehouse 不建模部门和组织）",
    "This target type is not supported here (departments and organizations are not modelled by Gatehouse)",
  ),
  // external identity providers (docs/social-sign-in.md)
  EXT_IDP_NOT_FOUND: plain(404, "身份源不存在", "External identity provider does not exist"),
  EXT_IDP_CONN_NOT_FOUND: plain(
    404,
    "身份源连接不存在",
    "External identity provider connection does not exist",
  ),
  EXT_IDP_CONN_IDENTIFIER_TAKEN: plain(
    409,
    "该身份源连接标识已被使用",
    "A connection with this identifier already exists in this user pool",
  ),
  EXT_IDP_TYPE_MISMATCH: plain(
    400,
    "连接类型与身份源类型不符",
    "The connection's type does not belong to its identity provider's type",
  ),
  EXT_IDP_FIELDS_INVALID: plain(
    400,
    "身份源连接配置不合法：{reason}",
    "Invalid connection settings: {reason}",
  ),
  EXT_IDP_NOT_SUPPORTED: plain(
    501,
    "Gatehouse 暂不支持此类身份源登录（{type}）",
    "Gatehouse does not support signing in through this kind of provider ({type})",
  ),
  EXT_IDP_UNAVAILABLE: plain(
    502,
    "无法连接身份源，请稍后重试",
    "The identity provider cannot be reached; try again later",
  ),
  EXT_IDP_CONN_DISABLED: plain(
    403,
    "此应用未开启该身份源连接",
    "This connection is not enabled for this application",
  ),
  IDENTITY_TAKEN: plain(409, "该外部身份已绑定其他用户", "This external identity is linked to another user"),
  IDENTITY_NOT_FOUND: plain(404, "用户未绑定该身份源", "The user has no identity at this provider"),
} as const satisfies Record<string, ApiErrorDef>;

export type ApiErrorKey = keyof typeof apiErrors;

/** Readable name for an apiCode (first key registered with it), for SDK error names. */
export function apiCodeName(apiCode: number | undefined): string | undefined {
  if (apiCode === undefined) return undefined;
  for (const [key, def] of Object.entries(apiErrors) as [ApiErrorKey, ApiErrorDef][]) {
    if (def.apiCode === apiCode) return key;
  }
  return undefined;
}
