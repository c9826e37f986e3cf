import { authPaths } from "./paths.js";
import { UserDto } from "./user.js";

/**
 * Example requests and answers of the user-information module, shown with every operation of the
 * OpenAPI document. A test checks each against its operation's schemas, so they cannot drift from
 * the contract. Values are made up; tokens are shortened.
 */
export interface OperationExample {
  /** The JSON body (POST) or the query parameters (GET). */
  request?: Record<string, unknown>;
  /** The envelope answered with HTTP 200. */
  response: Record<string, unknown>;
}

const requestId = "0f9b2c7e5d1a4e39";
const ok = (data?: unknown) => ({
  statusCode: 200,
  message: "OK",
  requestId,
  ...(data === undefined ? {} : { data }),
});

const known = {
  userId: "6584e4b1a1b2c3d4e5f60718",
  createdAt: "2026-03-01T08:00:00.000Z",
  updatedAt: "2026-12-01T09:30:00.000Z",
  status: "Activated",
  workStatus: "Active",
  email: "ming@example.com",
  emailVerified: true,
  phone: "13800138000",
  phoneCountryCode: "+86",
  phoneVerified: true,
  username: "ming",
  name: "Li Ming",
  nickname: "Ming",
  photo: "https://auth.example.com/assets/default-avatar.svg",
  gender: "M",
  loginsCount: 42,
  lastLogin: "2026-12-01T09:30:00.000Z",
  lastIp: "203.0.113.7",
  userSourceType: "register",
  registerSource: ["basic"],
  passwordSecurityLevel: 2,
  resetPasswordOnNextLogin: false,
  signedUp: "2026-03-01T08:00:00.000Z",
};

// Unknown values are present as null, as GenAuth answers them (docs/wire-contract.md §3c): every
// field the UserDto schema declares nullable that the example above leaves out.
const user = {
  ...known,
  ...Object.fromEntries(
    Object.entries(UserDto.properties)
      .filter(([key, schema]) => !(key in known) && [schema.type].flat().includes("null"))
      .map(([key]) => [key, null]),
  ),
};

const token = (purpose: string) => `${purpose}_Zx8v3K…`;

export const userInformationExamples: Record<string, OperationExample> = {
  [authPaths.getProfile]: {
    request: { withCustomData: true },
    response: ok({ ...user, customData: { plan: "pro" } }),
  },
  [authPaths.updateProfile]: {
    request: { nickname: "Ming", gender: "M", birthdate: "1990-05-01", city: "Hangzhou" },
    response: ok({ ...user, birthdate: "1990-05-01", city: "Hangzhou" }),
  },
  [authPaths.bindPhone]: {
    request: { phoneNumber: "13800138000", phoneCountryCode: "+86", passCode: "123456" },
    response: ok(),
  },
  [authPaths.bindEmail]: { request: { email: "ming@example.com", passCode: "123456" }, response: ok() },
  [authPaths.unbindPhone]: { request: { passCode: "123456" }, response: ok() },
  [authPaths.unbindEmail]: { request: { passCode: "123456" }, response: ok() },
  [authPaths.verifyUpdatePhoneRequest]: {
    request: {
      verifyMethod: "PHONE_PASSCODE",
      phonePassCodePayload: {
        newPhoneNumber: "13900139000",
        newPhoneCountryCode: "+86",
        newPhonePassCode: "123456",
        oldPhoneNumber: "13800138000",
        oldPhoneCountryCode: "+86",
        oldPhonePassCode: "654321",
      },
    },
    response: ok({ updatePhoneToken: token("upt"), tokenExpiresIn: 60 }),
  },
  [authPaths.updatePhone]: { request: { updatePhoneToken: token("upt") }, response: ok({ success: true }) },
  [authPaths.verifyUpdateEmailRequest]: {
    request: {
      verifyMethod: "EMAIL_PASSCODE",
      emailPassCodePayload: {
        newEmail: "ming@new.example.com",
        newEmailPassCode: "123456",
        oldEmail: "ming@example.com",
        oldEmailPassCode: "654321",
      },
    },
    response: ok({ updateEmailToken: token("uet"), tokenExpiresIn: 60 }),
  },
  [authPaths.updateEmail]: { request: { updateEmailToken: token("uet") }, response: ok({ success: true }) },
  [authPaths.updatePassword]: {
    request: { oldPassword: "old-passw0rd", newPassword: "a-new-Passw0rd", passwordEncryptType: "none" },
    response: ok(),
  },
  [authPaths.verifyResetPasswordRequest]: {
    request: {
      verifyMethod: "PHONE_PASSCODE",
      phonePassCodePayload: { phoneNumber: "13800138000", phoneCountryCode: "+86", passCode: "123456" },
    },
    response: ok({ passwordResetToken: token("prt"), tokenExpiresIn: 600 }),
  },
  [authPaths.resetPassword]: {
    request: { passwordResetToken: token("prt"), password: "a-new-Passw0rd", passwordEncryptType: "none" },
    response: ok({ success: true }),
  },
  [authPaths.verifyDeleteAccountRequest]: {
    request: {
      verifyMethod: "EMAIL_PASSCODE",
      emailPassCodePayload: { email: "ming@example.com", passCode: "123456" },
    },
    response: ok({ deleteAccountToken: token("dat"), tokenExpiresIn: 60 }),
  },
  [authPaths.deleteAccount]: {
    request: { deleteAccountToken: token("dat") },
    response: ok({ success: true }),
  },
  [authPaths.getSecurityInfo]: {
    response: ok({
      passwordSecurityLevel: 2,
      mfaEnrolled: false,
      passwordSet: true,
      emailBinded: true,
      phoneBinded: true,
      securityScore: 80,
    }),
  },
  [authPaths.validatePassword]: {
    request: { username: "ming", password: "a-new-Passw0rd", passwordEncryptType: "none" },
    response: ok({ valid: true }),
  },
};
