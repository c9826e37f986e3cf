/**
 * The one registry of API errors: key → statusCode, apiCode, message.
 * Numbers follow GenAuth's published tables (docs/behaviour-and-errors.md §3);
 * the mapping for our flows is §3.5. Only the server's envelope plugin renders these.
 */
export interface ApiErrorDef {
  readonly statusCode: number;
  readonly apiCode?: number;
  readonly message: string;
}

export const apiErrors = {
  // generic request problems
  INVALID_REQUEST: { statusCode: 400, message: "Invalid request" },
  MALFORMED_JSON: { statusCode: 400, message: "Request body is not valid JSON" },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, message: "Unsupported content type; send application/json" },
  PAYLOAD_TOO_LARGE: { statusCode: 413, message: "Request body is too large" },
  NOT_FOUND: { statusCode: 404, message: "No such endpoint" },
  RATE_LIMITED: { statusCode: 429, message: "Too many requests, try again later" },
  SERVICE_UNAVAILABLE: { statusCode: 503, message: "Service temporarily unavailable" },
  // GenAuth's "system busy, retry later" (§3.4)
  MESSAGE_SERVICE_BUSY: {
    statusCode: 503,
    apiCode: 1000,
    message: "Too many messages are waiting for delivery; try again shortly",
  },
  INTERNAL: { statusCode: 500, message: "Internal server error" },
  NOT_IMPLEMENTED: { statusCode: 501, message: "This operation is not supported by Gatehouse" },

  // application / pool resolution
  APP_ID_MISSING: { statusCode: 400, apiCode: 2011, message: "Missing x-authing-app-id header" },
  APP_NOT_FOUND: { statusCode: 404, apiCode: 2011, message: "Application does not exist" },
  POOL_NOT_FOUND: { statusCode: 404, apiCode: 2224, message: "User pool does not exist" },

  // user authentication
  TOKEN_MISSING: { statusCode: 401, apiCode: 2020, message: "Not logged in: access token missing" },
  TOKEN_EXPIRED: { statusCode: 401, apiCode: 2206, message: "Access token expired" },
  TOKEN_INVALID: { statusCode: 401, apiCode: 2207, message: "Access token invalid or revoked" },
  // bindUserTokens on: the token's scopes do not cover the call (RFC 6750 §3.1 insufficient_scope)
  TOKEN_SCOPE_INSUFFICIENT: { statusCode: 403, message: "Access token lacks the scope this call needs" },
  // a valid client-credentials token at an endpoint that acts for a user (docs/oidc-tokens.md)
  TOKEN_NOT_A_USER: {
    statusCode: 403,
    message: "This access token was issued to a machine by client credentials and names no user",
  },

  // sign-in / sign-up
  LOGIN_FAILED: { statusCode: 403, apiCode: 2333, message: "Account not exists or password is incorrect." },
  ACCOUNT_LOCKED_FAILURES: {
    statusCode: 403,
    apiCode: 2057,
    message: "Too many failed attempts; the account is temporarily locked",
  },
  ACCOUNT_LOCKED: { statusCode: 403, apiCode: 2005, message: "User is locked" },
  ACCOUNT_SUSPENDED: { statusCode: 403, apiCode: 2005, message: "User is suspended" },
  // GenAuth's code for an unverified email refused at sign-in (docs/behaviour-and-errors.md §4.6)
  EMAIL_NOT_VERIFIED: {
    statusCode: 403,
    apiCode: 2042,
    message: "The email address is not verified; sign in with an email code or reset the password",
  },
  PHONE_NOT_VERIFIED: {
    statusCode: 403,
    message: "The phone number is not verified; sign in with an SMS code or reset the password",
  },
  USER_EXISTS: { statusCode: 409, apiCode: 2026, message: "User already exists" },
  // GenAuth's "login / registration too frequent" (docs/behaviour-and-errors.md §3.3)
  SIGN_UP_RATE_LIMITED: {
    statusCode: 429,
    apiCode: 1002,
    message: "Too many accounts created from here; try again later",
  },
  REGISTER_DISABLED: {
    statusCode: 403,
    apiCode: 2031,
    message: "Registration is disabled for this user pool",
  },
  WEAK_PASSWORD: { statusCode: 400, apiCode: 2061, message: "Password does not meet the password policy" },
  PASSWORD_DECRYPT_FAILED: {
    statusCode: 400,
    message: "Password could not be decrypted with the server RSA key (see GET /api/v3/system)",
  },
  CLIENT_AUTH_FAILED: { statusCode: 401, message: "Client authentication failed" },
  // the hosted pages of the OpenID Provider (docs/oidc-provider.md)
  INTERACTION_NOT_FOUND: {
    statusCode: 400,
    message: "This sign-in request has expired or was already used; start again from the application",
  },
  LOGOUT_REQUEST_NOT_FOUND: {
    statusCode: 400,
    message: "This sign-out request has expired or was already used",
  },
  USER_NOT_FOUND: { statusCode: 404, apiCode: 2004, message: "User does not exist" },

  // verification codes
  CODE_WRONG: { statusCode: 400, apiCode: 2001, message: "Verification code is incorrect" },
  CODE_EXPIRED: { statusCode: 400, apiCode: 2300, message: "Verification code has expired or was used up" },
  CODE_COOLDOWN: {
    statusCode: 429,
    apiCode: 2080,
    message: "A code was sent to this address less than a minute ago; wait before asking again",
  },
  CODE_HOURLY_CAP: { statusCode: 429, message: "Too many codes requested; try again later" },
  SMS_POOL_HOURLY_CAP: {
    statusCode: 429,
    message: "This user pool has sent too many SMS codes this hour; try again later",
  },
  EMAIL_POOL_HOURLY_CAP: {
    statusCode: 429,
    message: "This user pool has sent too many email codes this hour; try again later",
  },
  INVALID_PHONE: { statusCode: 400, message: "Phone number is not valid" },
  INVALID_EMAIL: { statusCode: 400, message: "Email address is not valid" },

  // profile
  PHONE_TAKEN: { statusCode: 409, apiCode: 2035, message: "Phone number is already bound to another user" },
  EMAIL_TAKEN: { statusCode: 409, apiCode: 2200, message: "Email is already bound to another user" },
  USERNAME_TAKEN: { statusCode: 409, apiCode: 2034, message: "Username is already taken" },
  // GenAuth publishes no code for a malformed username (nor for a malformed email or phone).
  USERNAME_INVALID: { statusCode: 400, message: "Username is not valid" },
  PHONE_SAME_AS_CURRENT: {
    statusCode: 400,
    apiCode: 2230,
    message: "New phone number equals the current one",
  },
  EMAIL_SAME_AS_CURRENT: { statusCode: 400, apiCode: 2229, message: "New email equals the current one" },
  OLD_PHONE_MISMATCH: {
    statusCode: 400,
    apiCode: 2038,
    message: "Old phone number does not match the user's",
  },
  OLD_EMAIL_MISMATCH: { statusCode: 400, apiCode: 2037, message: "Old email does not match the user's" },
  OLD_PHONE_REQUIRED: {
    statusCode: 400,
    apiCode: 2228,
    message: "This user pool requires verifying the old phone number (oldPhoneNumber and oldPhonePassCode)",
  },
  OLD_EMAIL_REQUIRED: {
    statusCode: 400,
    apiCode: 2227,
    message: "This user pool requires verifying the old email (oldEmail and oldEmailPassCode)",
  },
  PHONE_ALREADY_BOUND: {
    statusCode: 422,
    apiCode: 2035,
    message: "A phone number is already bound; use verify-update-phone-request to change it",
  },
  EMAIL_ALREADY_BOUND: {
    statusCode: 422,
    apiCode: 2200,
    message: "An email is already bound; use verify-update-email-request to change it",
  },
  NO_PHONE_BOUND: {
    statusCode: 422,
    apiCode: 2219,
    message: "No phone number is bound; use bind-phone to add one",
  },
  NO_EMAIL_BOUND: { statusCode: 422, apiCode: 2219, message: "No email is bound; use bind-email to add one" },
  LAST_LOGIN_METHOD: {
    statusCode: 422,
    apiCode: 2217,
    message: "Cannot remove the user's last way to sign in",
  },
  OLD_PASSWORD_REQUIRED: { statusCode: 400, apiCode: 2201, message: "oldPassword is required" },
  OLD_PASSWORD_WRONG: { statusCode: 403, apiCode: 2203, message: "Old password is incorrect" },
  PROFILE_EMAIL_ELSEWHERE: {
    statusCode: 400,
    apiCode: 2225,
    message:
      "update-profile cannot change email; use bind-email, or verify-update-email-request + update-email",
  },
  PROFILE_PHONE_ELSEWHERE: {
    statusCode: 400,
    apiCode: 2226,
    message:
      "update-profile cannot change phone; use bind-phone, or verify-update-phone-request + update-phone",
  },
  PROFILE_PASSWORD_ELSEWHERE: {
    statusCode: 400,
    message: "update-profile cannot change the password; use update-password",
  },
  PROFILE_FIELD_UNKNOWN: { statusCode: 400, message: "update-profile does not accept this field" },
  CUSTOM_FIELD_NOT_USER_EDITABLE: {
    statusCode: 403,
    apiCode: 2018,
    message: "This custom field is not editable by users (userEditable is off)",
  },
  PASSWORD_WRONG: { statusCode: 403, apiCode: 2006, message: "Password is incorrect" },
  DELETE_BY_PASSWORD_NOT_ALLOWED: {
    statusCode: 400,
    message:
      "This account has a phone or email: confirm the deletion with a code sent to it (PHONE_PASSCODE or EMAIL_PASSCODE)",
  },
  FLOW_TOKEN_INVALID: {
    statusCode: 400,
    apiCode: 2207,
    message: "Token is invalid, expired or already used",
  },

  // management signature (docs/wire-contract.md §1.4)
  SIGNATURE_INVALID: { statusCode: 401, apiCode: 1300, message: "Access key signature is invalid" },
  SIGNATURE_METHOD: { statusCode: 401, apiCode: 1301, message: "Unsupported signature method" },
  SIGNATURE_VERSION: { statusCode: 401, apiCode: 1302, message: "Unsupported signature version" },
  SIGNATURE_DATE_FORMAT: { statusCode: 401, apiCode: 1303, message: "Malformed date header" },
  SIGNATURE_DATE_MISSING: { statusCode: 401, apiCode: 1304, message: "Missing date header" },
  SIGNATURE_DATE_SKEW: {
    statusCode: 401,
    apiCode: 1305,
    message: "Request date is too far from server time",
  },
  SIGNATURE_REPLAY: { statusCode: 401, apiCode: 1306, message: "Signature nonce was already used" },
  SIGNATURE_AMBIGUOUS: {
    statusCode: 400,
    message: "The signed request is ambiguous: its signature would verify another request too",
  },

  // management API
  MANAGEMENT_AUTH_MISSING: {
    statusCode: 401,
    apiCode: 1300,
    message:
      "Management credentials missing: sign the request with an access key (authorization: authing <accessKeyId>:<signature>) or send Authorization: Bearer <management token>",
  },
  ACCESS_KEY_CREDENTIALS_INVALID: {
    statusCode: 401,
    message: "accessKeyId or accessKeySecret is incorrect, or the access key is disabled",
  },
  ACCESS_KEY_NOT_FOUND: { statusCode: 404, message: "Access key does not exist" },
  ACCESS_KEY_POOL_KEY: {
    statusCode: 422,
    message: "The user pool's own id/secret is always a valid key; it cannot be disabled or deleted",
  },
  MANAGEMENT_POOL_MISMATCH: {
    statusCode: 403,
    message: "x-authing-userpool-id does not match the user pool of the management token",
  },
  USER_ID_TYPE_UNSUPPORTED: { statusCode: 400, message: "This userIdType is not supported" },
  USER_IDENTIFIER_REQUIRED: {
    statusCode: 400,
    message: "A user needs at least one of email, phone or username",
  },
  EXTERNAL_ID_TAKEN: { statusCode: 409, message: "externalId is already used by another user" },
  EXTERNAL_ID_ADMIN_ONLY: {
    statusCode: 403,
    message:
      "externalId is set by an administrator (management API create-user/update-user, gatehouse user import), not by the user",
  },
  PASSWORD_HASH_INVALID: {
    statusCode: 400,
    message:
      "options.keepPassword expects a bcrypt ($2a$/$2b$/$2y$) or argon2 ($argon2id$/$argon2i$/$argon2d$) hash in password",
  },
  CUSTOM_DATA_INVALID: { statusCode: 400, message: "customData does not match the pool's custom fields" },
  CUSTOM_FIELD_INVALID: { statusCode: 400, message: "Invalid custom field definition" },
  USER_FILTER_INVALID: { statusCode: 400, message: "Invalid user filter" },
  APP_IDENTIFIER_TAKEN: {
    statusCode: 409,
    apiCode: 2039,
    message: "appIdentifier is already used by another application of this user pool",
  },
  DEFAULT_APP_PROTECTED: {
    statusCode: 422,
    message: "The user pool's default application (from bootstrap) cannot be deleted",
  },
  SETTINGS_INVALID: { statusCode: 400, message: "Invalid security settings" },
  KEY_ROTATION_TOO_SOON: {
    statusCode: 409,
    message: "The previous signing key may still sign live tokens; rotating now would retire it early",
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
