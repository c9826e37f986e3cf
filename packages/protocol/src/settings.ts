import { type Static, Type } from "@sinclair/typebox";

/**
 * A user pool's security settings (GenAuth's SecuritySettingsDto plus Gatehouse's own),
 * with the defaults every flow reads. behaviour-and-errors.md §1.5, §2, §4.
 */
const Int = (min: number, max: number, def: number) =>
  Type.Integer({ minimum: min, maximum: max, default: def });
const Bool = (def: boolean) => Type.Boolean({ default: def });
const FailCheck = (limit: number, interval: number) =>
  Type.Object(
    { enabled: Bool(true), limit: Int(1, 1_000_000, limit), timeInterval: Int(1, 86_400 * 30, interval) },
    { additionalProperties: false, default: {} },
  );

export const PoolSettings = Type.Object(
  {
    registerDisabled: Bool(false),
    /** Digits in SMS/email codes. */
    verifyCodeLength: Int(4, 8, 6),
    /** Wrong tries one code tolerates before it dies. */
    verifyCodeMaxAttempts: Int(1, 100, 5),
    /** Seconds a code stays valid. */
    verifyCodeExpiresIn: Int(30, 3600, 300),
    /** Per-pool override of GATEHOUSE_CODE_TARGET_HOURLY_LIMIT (0 = use the server default). */
    codeTargetHourlyLimit: Int(0, 1_000_000_000, 0),
    /** Per-pool override of GATEHOUSE_CODE_IP_HOURLY_LIMIT (0 = use the server default). */
    codeIpHourlyLimit: Int(0, 1_000_000_000, 0),
    /** Per-pool override of GATEHOUSE_SMS_POOL_HOURLY_LIMIT: SMS codes the pool sends per hour (0 = server default). */
    smsPoolHourlyLimit: Int(0, 1_000_000_000, 0),
    /** Per-pool override of GATEHOUSE_EMAIL_POOL_HOURLY_LIMIT (0 = use the server default). */
    emailPoolHourlyLimit: Int(0, 1_000_000_000, 0),
    /** Per-pool override of GATEHOUSE_SIGNUP_IP_HOURLY_LIMIT: accounts one IP creates per hour (0 = server default). */
    registerIpHourlyLimit: Int(0, 1_000_000_000, 0),
    /** Per-pool override of GATEHOUSE_SIGNUP_POOL_HOURLY_LIMIT (0 = use the server default). */
    registerPoolHourlyLimit: Int(0, 1_000_000_000, 0),
    defaultPhoneCountryCode: Type.String({ pattern: "^\\+[0-9]{1,4}$", default: "+86" }),
    changePhoneStrategy: Type.Object(
      { verifyOldPhone: Bool(true) },
      { additionalProperties: false, default: {} },
    ),
    changeEmailStrategy: Type.Object(
      { verifyOldEmail: Bool(true) },
      { additionalProperties: false, default: {} },
    ),
    updatePhoneTokenExpiresIn: Int(10, 3600, 60),
    updateEmailTokenExpiresIn: Int(10, 3600, 60),
    passwordResetTokenExpiresIn: Int(10, 86_400, 600),
    deleteAccountTokenExpiresIn: Int(10, 3600, 60),
    /** GenAuth's levels: 0 none, 1 ≥6 chars, 2 two classes, 3 three classes, 4 custom regex. */
    passwordStrength: Int(0, 4, 0),
    customPasswordStrength: Type.Object(
      {
        regex: Type.String({ default: "", maxLength: 500 }),
        message: Type.String({ default: "", maxLength: 500 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Minimum zxcvbn score 0–4 for new passwords (0 = off). Gatehouse only. */
    passwordMinZxcvbnScore: Int(0, 4, 0),
    loginAnomalyDetection: Type.Object(
      {
        /** Wrong passwords for one account inside the window that lock it for the window. */
        accountLockLoginPasswordFailCheck: FailCheck(5, 300),
        /** Failed sign-ins from one IP inside the window that block that IP for the window. */
        loginFailCheck: FailCheck(50, 300),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Password sign-in to an email nobody has proved is refused (403/2042). GenAuth's. */
    loginRequireEmailVerified: Bool(false),
    /** The same for a phone number. Gatehouse only. */
    loginRequirePhoneVerified: Bool(false),
    /**
     * /api/v3 user tokens work only through the application they were issued to and only for
     * what their scopes cover (docs/behaviour-and-errors.md §1.8). Off: pool-wide, like GenAuth.
     */
    bindUserTokens: Bool(false),
    notifyOnPhoneChange: Bool(true),
    notifyOnEmailChange: Bool(true),
    notifyOnPasswordChange: Bool(true),
    endSessionsOnPasswordChange: Bool(true),
    /**
     * Seconds since the browser's last sign-in after which the hosted account page asks for the
     * password (or a code, or a second factor) again before a sensitive change (docs/account-page.md).
     * Gatehouse only.
     */
    accountReauthMaxAge: Int(60, 86_400, 600),
    allowedOrigins: Type.Array(Type.String({ maxLength: 500 }), { default: [], maxItems: 100 }),
    /** Message text overrides: `{ "<channel>": { "zh-CN"?: text, "en-US"?: text } }`, `{code}` is replaced. */
    messageTemplates: Type.Record(
      Type.String(),
      Type.Record(Type.String(), Type.String({ maxLength: 2000 })),
      {
        default: {},
      },
    ),
    /**
     * The `photo` of users who have none: an http(s) URL, or empty for the image Gatehouse serves
     * itself at `<public url>/assets/default-avatar.svg` (docs/wire-contract.md §3c).
     */
    defaultAvatar: Type.String({ maxLength: 2048, pattern: "^(https?://\\S+)?$", default: "" }),
    /**
     * The language of answers to callers that name none (no `x-authing-lang`, no Accept-Language):
     * docs/behaviour-and-errors.md §3.7. GenAuth's SDKs always name one. The hosted pages' too
     * (docs/hosted-pages.md).
     */
    defaultLanguage: Type.Union([Type.Literal("zh-CN"), Type.Literal("en-US")], { default: "en-US" }),
    /** Locale of message texts: zh-CN (GenAuth's default) or en-US. */
    messageLocale: Type.Union([Type.Literal("zh-CN"), Type.Literal("en-US")], { default: "zh-CN" }),
    /** How the hosted pages look: the pool's logo (an https URL, or empty) and accent colour. Gatehouse only. */
    branding: Type.Object(
      {
        logoUrl: Type.String({ maxLength: 500, pattern: "^(https://[^\\s\"'<>]+)?$", default: "" }),
        accentColor: Type.String({ pattern: "^#[0-9a-fA-F]{6}$", default: "#1d4ed8" }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type PoolSettings = Static<typeof PoolSettings>;
