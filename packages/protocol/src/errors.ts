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

export const apiErrors = {
  // generic request problems
  INVALID_REQUEST: {
    statusCode: 400,
    message: {
      "zh-CN": "请求参数不合法",
      "en-US": "Invalid request",
    },
  },
  // GenAuth's format error of a named parameter (a value that is not an email, a phone number…)
  PARAM_MALFORMED: {
    statusCode: 400,
    message: {
      "zh-CN": "参数 {field} 格式错误",
      "en-US": "The {field} parameter is malformed",
    },
  },
  MALFORMED_JSON: {
    statusCode: 400,
    message: {
      "zh-CN": "请求体不是合法的 JSON",
      "en-US": "Request body is not valid JSON",
    },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    statusCode: 415,
    message: {
      "zh-CN": "不支持的内容类型，请发送 application/json",
      "en-US": "Unsupported content type; send application/json",
    },
  },
  PAYLOAD_TOO_LARGE: {
    statusCode: 413,
    message: {
      "zh-CN": "请求体过大",
      "en-US": "Request body is too large",
    },
  },
  NOT_FOUND: {
    statusCode: 404,
    message: {
      "zh-CN": "接口不存在：{endpoint}",
      "en-US": "No such endpoint: {endpoint}",
    },
  },
  RATE_LIMITED: {
    statusCode: 429,
    message: {
      "zh-CN": "请求过于频繁，请稍后重试",
      "en-US": "Too many requests, try again later",
    },
  },
  SERVICE_UNAVAILABLE: {
    statusCode: 503,
    message: {
      "zh-CN": "服务暂时不可用",
      "en-US": "Service temporarily unavailable",
    },
  },
  // GenAuth's "system busy, retry later" (§3.4)
  MESSAGE_SERVICE_BUSY: {
    statusCode: 503,
    apiCode: 1000,
    message: {
      "zh-CN": "系统繁忙，请稍后重试",
      "en-US": "Too many messages are waiting for delivery; try again shortly",
    },
  },
  INTERNAL: {
    statusCode: 500,
    message: {
      "zh-CN": "服务器内部错误",
      "en-US": "Internal server error",
    },
  },
  NOT_IMPLEMENTED: {
    statusCode: 501,
    message: {
      "zh-CN": "Gatehouse 不支持此操作",
      "en-US": "This operation is not supported by Gatehouse",
    },
  },

  // application / pool resolution
  APP_ID_MISSING: {
    statusCode: 400,
    apiCode: 2011,
    message: {
      "zh-CN": "缺少 x-authing-app-id 请求头",
      "en-US": "Missing x-authing-app-id header",
    },
  },
  APP_NOT_FOUND: {
    statusCode: 404,
    apiCode: 2011,
    message: {
      "zh-CN": "应用不存在",
      "en-US": "Application does not exist",
    },
  },
  POOL_NOT_FOUND: {
    statusCode: 404,
    apiCode: 2224,
    message: {
      "zh-CN": "用户池不存在",
      "en-US": "User pool does not exist",
    },
  },

  // user authentication
  TOKEN_MISSING: {
    statusCode: 401,
    apiCode: 2020,
    message: {
      "zh-CN": "尚未登录：缺少 access token",
      "en-US": "Not logged in: access token missing",
    },
  },
  TOKEN_EXPIRED: {
    statusCode: 401,
    apiCode: 2206,
    message: {
      "zh-CN": "access token 已过期",
      "en-US": "Access token expired",
    },
  },
  TOKEN_INVALID: {
    statusCode: 401,
    apiCode: 2207,
    message: {
      "zh-CN": "access token 无效或已被撤销",
      "en-US": "Access token invalid or revoked",
    },
  },
  // bindUserTokens on: the token's scopes do not cover the call (RFC 6750 §3.1 insufficient_scope)
  TOKEN_SCOPE_INSUFFICIENT: {
    statusCode: 403,
    message: {
      "zh-CN": "access token 的权限范围（scope）不足以调用此接口",
      "en-US": "Access token lacks the scope this call needs",
    },
  },
  // a valid client-credentials token at an endpoint that acts for a user (docs/oidc-tokens.md)
  TOKEN_NOT_A_USER: {
    statusCode: 403,
    message: {
      "zh-CN": "此 access token 是通过 client credentials 签发给机器的，不代表任何用户",
      "en-US": "This access token was issued to a machine by client credentials and names no user",
    },
  },

  // sign-in / sign-up
  LOGIN_FAILED: {
    statusCode: 403,
    apiCode: 2333,
    message: {
      "zh-CN": "账号不存在或密码错误",
      "en-US": "Account not exists or password is incorrect.",
    },
  },
  ACCOUNT_LOCKED_FAILURES: {
    statusCode: 403,
    apiCode: 2057,
    message: {
      "zh-CN": "失败次数过多，账号已被暂时锁定",
      "en-US": "Too many failed attempts; the account is temporarily locked",
    },
  },
  ACCOUNT_LOCKED: {
    statusCode: 403,
    apiCode: 2005,
    message: {
      "zh-CN": "用户已被锁定",
      "en-US": "User is locked",
    },
  },
  ACCOUNT_SUSPENDED: {
    statusCode: 403,
    apiCode: 2005,
    message: {
      "zh-CN": "用户已被停用",
      "en-US": "User is suspended",
    },
  },
  // GenAuth's code for an unverified email refused at sign-in (docs/behaviour-and-errors.md §4.6)
  EMAIL_NOT_VERIFIED: {
    statusCode: 403,
    apiCode: 2042,
    message: {
      "zh-CN": "邮箱未验证，请使用邮箱验证码登录或重置密码",
      "en-US": "The email address is not verified; sign in with an email code or reset the password",
    },
  },
  PHONE_NOT_VERIFIED: {
    statusCode: 403,
    message: {
      "zh-CN": "手机号未验证，请使用短信验证码登录或重置密码",
      "en-US": "The phone number is not verified; sign in with an SMS code or reset the password",
    },
  },
  USER_EXISTS: {
    statusCode: 409,
    apiCode: 2026,
    message: {
      "zh-CN": "用户已存在",
      "en-US": "User already exists",
    },
  },
  // GenAuth's "login / registration too frequent" (docs/behaviour-and-errors.md §3.3)
  SIGN_UP_RATE_LIMITED: {
    statusCode: 429,
    apiCode: 1002,
    message: {
      "zh-CN": "注册过于频繁，请稍后重试",
      "en-US": "Too many accounts created from here; try again later",
    },
  },
  REGISTER_DISABLED: {
    statusCode: 403,
    apiCode: 2031,
    message: {
      "zh-CN": "此用户池已关闭注册",
      "en-US": "Registration is disabled for this user pool",
    },
  },
  WEAK_PASSWORD: {
    statusCode: 400,
    apiCode: 2061,
    message: {
      "zh-CN": "密码不符合密码策略",
      "en-US": "Password does not meet the password policy",
    },
  },
  PASSWORD_DECRYPT_FAILED: {
    statusCode: 400,
    message: {
      "zh-CN": "无法使用服务器 RSA 密钥解密密码（见 GET /api/v3/system）",
      "en-US": "Password could not be decrypted with the server RSA key (see GET /api/v3/system)",
    },
  },
  CLIENT_AUTH_FAILED: {
    statusCode: 401,
    message: {
      "zh-CN": "客户端认证失败",
      "en-US": "Client authentication failed",
    },
  },
  USER_NOT_FOUND: {
    statusCode: 404,
    apiCode: 2004,
    message: {
      "zh-CN": "用户不存在",
      "en-US": "User does not exist",
    },
  },

  // verification codes
  CODE_WRONG: {
    statusCode: 400,
    apiCode: 2001,
    message: {
      "zh-CN": "验证码不正确",
      "en-US": "Verification code is incorrect",
    },
  },
  CODE_EXPIRED: {
    statusCode: 400,
    apiCode: 2300,
    message: {
      "zh-CN": "验证码已过期或已被使用",
      "en-US": "Verification code has expired or was used up",
    },
  },
  CODE_COOLDOWN: {
    statusCode: 429,
    apiCode: 2080,
    message: {
      "zh-CN": "一分钟内已向此地址发送过验证码，请稍后再试",
      "en-US": "A code was sent to this address less than a minute ago; wait before asking again",
    },
  },
  CODE_HOURLY_CAP: {
    statusCode: 429,
    message: {
      "zh-CN": "验证码请求过多，请稍后重试",
      "en-US": "Too many codes requested; try again later",
    },
  },
  SMS_POOL_HOURLY_CAP: {
    statusCode: 429,
    message: {
      "zh-CN": "此用户池本小时发送的短信验证码过多，请稍后重试",
      "en-US": "This user pool has sent too many SMS codes this hour; try again later",
    },
  },
  EMAIL_POOL_HOURLY_CAP: {
    statusCode: 429,
    message: {
      "zh-CN": "此用户池本小时发送的邮件验证码过多，请稍后重试",
      "en-US": "This user pool has sent too many email codes this hour; try again later",
    },
  },
  INVALID_PHONE: {
    statusCode: 400,
    message: {
      "zh-CN": "手机号格式错误",
      "en-US": "Phone number is not valid",
    },
  },
  INVALID_EMAIL: {
    statusCode: 400,
    message: {
      "zh-CN": "邮箱格式错误",
      "en-US": "Email address is not valid",
    },
  },

  // profile
  PHONE_TAKEN: {
    statusCode: 409,
    apiCode: 2035,
    message: {
      "zh-CN": "手机号已被其他用户绑定",
      "en-US": "Phone number is already bound to another user",
    },
  },
  EMAIL_TAKEN: {
    statusCode: 409,
    apiCode: 2200,
    message: {
      "zh-CN": "邮箱已被其他用户绑定",
      "en-US": "Email is already bound to another user",
    },
  },
  USERNAME_TAKEN: {
    statusCode: 409,
    apiCode: 2034,
    message: {
      "zh-CN": "用户名已存在",
      "en-US": "Username is already taken",
    },
  },
  // GenAuth publishes no code for a malformed username (nor for a malformed email or phone).
  USERNAME_INVALID: {
    statusCode: 400,
    message: {
      "zh-CN": "用户名格式错误",
      "en-US": "Username is not valid",
    },
  },
  PHONE_SAME_AS_CURRENT: {
    statusCode: 400,
    apiCode: 2230,
    message: {
      "zh-CN": "新手机号与当前手机号相同",
      "en-US": "New phone number equals the current one",
    },
  },
  EMAIL_SAME_AS_CURRENT: {
    statusCode: 400,
    apiCode: 2229,
    message: {
      "zh-CN": "新邮箱与当前邮箱相同",
      "en-US": "New email equals the current one",
    },
  },
  OLD_PHONE_MISMATCH: {
    statusCode: 400,
    apiCode: 2038,
    message: {
      "zh-CN": "旧手机号与用户的手机号不一致",
      "en-US": "Old phone number does not match the user's",
    },
  },
  OLD_EMAIL_MISMATCH: {
    statusCode: 400,
    apiCode: 2037,
    message: {
      "zh-CN": "旧邮箱与用户的邮箱不一致",
      "en-US": "Old email does not match the user's",
    },
  },
  OLD_PHONE_REQUIRED: {
    statusCode: 400,
    apiCode: 2228,
    message: {
      "zh-CN": "此用户池要求验证旧手机号（oldPhoneNumber 和 oldPhonePassCode）",
      "en-US": "This user pool requires verifying the old phone number (oldPhoneNumber and oldPhonePassCode)",
    },
  },
  OLD_EMAIL_REQUIRED: {
    statusCode: 400,
    apiCode: 2227,
    message: {
      "zh-CN": "此用户池要求验证旧邮箱（oldEmail 和 oldEmailPassCode）",
      "en-US": "This user pool requires verifying the old email (oldEmail and oldEmailPassCode)",
    },
  },
  PHONE_ALREADY_BOUND: {
    statusCode: 422,
    apiCode: 2035,
    message: {
      "zh-CN": "已绑定手机号，请使用 verify-update-phone-request 修改",
      "en-US": "A phone number is already bound; use verify-update-phone-request to change it",
    },
  },
  EMAIL_ALREADY_BOUND: {
    statusCode: 422,
    apiCode: 2200,
    message: {
      "zh-CN": "已绑定邮箱，请使用 verify-update-email-request 修改",
      "en-US": "An email is already bound; use verify-update-email-request to change it",
    },
  },
  NO_PHONE_BOUND: {
    statusCode: 422,
    apiCode: 2219,
    message: {
      "zh-CN": "尚未绑定手机号，请使用 bind-phone 绑定",
      "en-US": "No phone number is bound; use bind-phone to add one",
    },
  },
  NO_EMAIL_BOUND: {
    statusCode: 422,
    apiCode: 2219,
    message: {
      "zh-CN": "尚未绑定邮箱，请使用 bind-email 绑定",
      "en-US": "No email is bound; use bind-email to add one",
    },
  },
  LAST_LOGIN_METHOD: {
    statusCode: 422,
    apiCode: 2217,
    message: {
      "zh-CN": "不能移除用户最后一种登录方式",
      "en-US": "Cannot remove the user's last way to sign in",
    },
  },
  OLD_PASSWORD_REQUIRED: {
    statusCode: 400,
    apiCode: 2201,
    message: {
      "zh-CN": "oldPassword 不能为空",
      "en-US": "oldPassword is required",
    },
  },
  OLD_PASSWORD_WRONG: {
    statusCode: 403,
    apiCode: 2203,
    message: {
      "zh-CN": "旧密码不正确",
      "en-US": "Old password is incorrect",
    },
  },
  PROFILE_EMAIL_ELSEWHERE: {
    statusCode: 400,
    apiCode: 2225,
    message: {
      "zh-CN":
        "update-profile 不能修改邮箱，请使用 bind-email，或 verify-update-email-request + update-email",
      "en-US":
        "update-profile cannot change email; use bind-email, or verify-update-email-request + update-email",
    },
  },
  PROFILE_PHONE_ELSEWHERE: {
    statusCode: 400,
    apiCode: 2226,
    message: {
      "zh-CN":
        "update-profile 不能修改手机号，请使用 bind-phone，或 verify-update-phone-request + update-phone",
      "en-US":
        "update-profile cannot change phone; use bind-phone, or verify-update-phone-request + update-phone",
    },
  },
  PROFILE_PASSWORD_ELSEWHERE: {
    statusCode: 400,
    message: {
      "zh-CN": "update-profile 不能修改密码，请使用 update-password",
      "en-US": "update-profile cannot change the password; use update-password",
    },
  },
  PROFILE_FIELD_UNKNOWN: {
    statusCode: 400,
    message: {
      "zh-CN": "update-profile 不接受此字段",
      "en-US": "update-profile does not accept this field",
    },
  },
  CUSTOM_FIELD_NOT_USER_EDITABLE: {
    statusCode: 403,
    apiCode: 2018,
    message: {
      "zh-CN": "此扩展字段不允许用户修改（userEditable 未开启）",
      "en-US": "This custom field is not editable by users (userEditable is off)",
    },
  },
  PASSWORD_WRONG: {
    statusCode: 403,
    apiCode: 2006,
    message: {
      "zh-CN": "密码不正确",
      "en-US": "Password is incorrect",
    },
  },
  DELETE_BY_PASSWORD_NOT_ALLOWED: {
    statusCode: 400,
    message: {
      "zh-CN":
        "此账号已绑定手机号或邮箱，请使用发送到该手机号或邮箱的验证码确认注销（PHONE_PASSCODE 或 EMAIL_PASSCODE）",
      "en-US":
        "This account has a phone or email: confirm the deletion with a code sent to it (PHONE_PASSCODE or EMAIL_PASSCODE)",
    },
  },
  FLOW_TOKEN_INVALID: {
    statusCode: 400,
    apiCode: 2207,
    message: {
      "zh-CN": "token 无效、已过期或已被使用",
      "en-US": "Token is invalid, expired or already used",
    },
  },

  // management signature (docs/wire-contract.md §1.4)
  SIGNATURE_INVALID: {
    statusCode: 401,
    apiCode: 1300,
    message: {
      "zh-CN": "AccessKey 签名无效",
      "en-US": "Access key signature is invalid",
    },
  },
  SIGNATURE_METHOD: {
    statusCode: 401,
    apiCode: 1301,
    message: {
      "zh-CN": "不支持的签名方法",
      "en-US": "Unsupported signature method",
    },
  },
  SIGNATURE_VERSION: {
    statusCode: 401,
    apiCode: 1302,
    message: {
      "zh-CN": "不支持的签名版本",
      "en-US": "Unsupported signature version",
    },
  },
  SIGNATURE_DATE_FORMAT: {
    statusCode: 401,
    apiCode: 1303,
    message: {
      "zh-CN": "date 请求头格式错误",
      "en-US": "Malformed date header",
    },
  },
  SIGNATURE_DATE_MISSING: {
    statusCode: 401,
    apiCode: 1304,
    message: {
      "zh-CN": "缺少 date 请求头",
      "en-US": "Missing date header",
    },
  },
  SIGNATURE_DATE_SKEW: {
    statusCode: 401,
    apiCode: 1305,
    message: {
      "zh-CN": "请求时间与服务器时间相差过大",
      "en-US": "Request date is too far from server time",
    },
  },
  SIGNATURE_REPLAY: {
    statusCode: 401,
    apiCode: 1306,
    message: {
      "zh-CN": "签名 nonce 已被使用",
      "en-US": "Signature nonce was already used",
    },
  },
  SIGNATURE_AMBIGUOUS: {
    statusCode: 400,
    message: {
      "zh-CN": "签名请求有歧义：其签名同样能验证另一个请求",
      "en-US": "The signed request is ambiguous: its signature would verify another request too",
    },
  },

  // management API
  MANAGEMENT_AUTH_MISSING: {
    statusCode: 401,
    apiCode: 1300,
    message: {
      "zh-CN":
        "缺少管理凭证：请使用 AccessKey 签名请求（authorization: authing <accessKeyId>:<signature>）或发送 Authorization: Bearer <management token>",
      "en-US":
        "Management credentials missing: sign the request with an access key (authorization: authing <accessKeyId>:<signature>) or send Authorization: Bearer <management token>",
    },
  },
  ACCESS_KEY_CREDENTIALS_INVALID: {
    statusCode: 401,
    message: {
      "zh-CN": "accessKeyId 或 accessKeySecret 不正确，或 AccessKey 已被禁用",
      "en-US": "accessKeyId or accessKeySecret is incorrect, or the access key is disabled",
    },
  },
  ACCESS_KEY_NOT_FOUND: {
    statusCode: 404,
    message: {
      "zh-CN": "AccessKey 不存在",
      "en-US": "Access key does not exist",
    },
  },
  ACCESS_KEY_POOL_KEY: {
    statusCode: 422,
    message: {
      "zh-CN": "用户池自身的 id/secret 始终是有效的密钥，不能被禁用或删除",
      "en-US": "The user pool's own id/secret is always a valid key; it cannot be disabled or deleted",
    },
  },
  MANAGEMENT_POOL_MISMATCH: {
    statusCode: 403,
    message: {
      "zh-CN": "x-authing-userpool-id 与 management token 所属的用户池不一致",
      "en-US": "x-authing-userpool-id does not match the user pool of the management token",
    },
  },
  USER_ID_TYPE_UNSUPPORTED: {
    statusCode: 400,
    message: {
      "zh-CN": "不支持此 userIdType",
      "en-US": "This userIdType is not supported",
    },
  },
  USER_IDENTIFIER_REQUIRED: {
    statusCode: 400,
    message: {
      "zh-CN": "用户至少需要邮箱、手机号或用户名之一",
      "en-US": "A user needs at least one of email, phone or username",
    },
  },
  EXTERNAL_ID_TAKEN: {
    statusCode: 409,
    message: {
      "zh-CN": "externalId 已被其他用户使用",
      "en-US": "externalId is already used by another user",
    },
  },
  EXTERNAL_ID_ADMIN_ONLY: {
    statusCode: 403,
    message: {
      "zh-CN":
        "externalId 只能由管理员设置（管理 API create-user/update-user、gatehouse user import），用户不能设置",
      "en-US":
        "externalId is set by an administrator (management API create-user/update-user, gatehouse user import), not by the user",
    },
  },
  PASSWORD_HASH_INVALID: {
    statusCode: 400,
    message: {
      "zh-CN":
        "options.keepPassword 要求 password 为 bcrypt（$2a$/$2b$/$2y$）或 argon2（$argon2id$/$argon2i$/$argon2d$）哈希",
      "en-US":
        "options.keepPassword expects a bcrypt ($2a$/$2b$/$2y$) or argon2 ($argon2id$/$argon2i$/$argon2d$) hash in password",
    },
  },
  CUSTOM_DATA_INVALID: {
    statusCode: 400,
    message: {
      "zh-CN": "customData 与用户池的扩展字段不匹配",
      "en-US": "customData does not match the pool's custom fields",
    },
  },
  CUSTOM_DATA_TOO_LONG: {
    statusCode: 400,
    message: {
      "zh-CN": "customData 长度不能超过 1024 个字符",
      "en-US": "customData must be less than 1024 characters",
    },
  },
  PHONE_REQUIRED: {
    statusCode: 400,
    message: {
      "zh-CN": "手机号不能为空",
      "en-US": "phone cannot be empty",
    },
  },
  USER_EXISTS_QUERY_EMPTY: {
    statusCode: 400,
    message: {
      "zh-CN": "username、email、phone、externalId 至少需要提供一个",
      "en-US": "Give at least one of username, email, phone or externalId",
    },
  },
  CUSTOM_FIELD_INVALID: {
    statusCode: 400,
    message: {
      "zh-CN": "扩展字段定义不合法",
      "en-US": "Invalid custom field definition",
    },
  },
  USER_FILTER_INVALID: {
    statusCode: 400,
    message: {
      "zh-CN": "用户筛选条件不合法",
      "en-US": "Invalid user filter",
    },
  },
  APP_IDENTIFIER_TAKEN: {
    statusCode: 409,
    apiCode: 2039,
    message: {
      "zh-CN": "appIdentifier 已被此用户池的其他应用使用",
      "en-US": "appIdentifier is already used by another application of this user pool",
    },
  },
  DEFAULT_APP_PROTECTED: {
    statusCode: 422,
    message: {
      "zh-CN": "不能删除用户池的默认应用（初始化时创建）",
      "en-US": "The user pool's default application (from bootstrap) cannot be deleted",
    },
  },
  SETTINGS_INVALID: {
    statusCode: 400,
    message: {
      "zh-CN": "安全配置不合法",
      "en-US": "Invalid security settings",
    },
  },
  KEY_ROTATION_TOO_SOON: {
    statusCode: 409,
    message: {
      "zh-CN": "上一把签名密钥可能仍在签发有效的 token，现在轮换会使其提前失效",
      "en-US": "The previous signing key may still sign live tokens; rotating now would retire it early",
    },
  },
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
