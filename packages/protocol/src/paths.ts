/**
 * Every path the server serves and the SDK calls, defined once. Route registrations and SDK
 * methods import these; tests keep literal paths, since they check the wire. Grouped by API so a
 * client bundle that uses one client only keeps the paths it needs.
 */

/** Every V3 path starts with this; its errors are envelopes answered with HTTP 200. */
export const API_V3_PREFIX = "/api/v3/";
/** GenAuth's V2 paths Gatehouse answers (the MFA step): enveloped like V3. */
export const API_V2_PREFIX = "/api/v2/";

/** The authentication API (app-scoped, user tokens): `AuthenticationClient`. */
export const authPaths = {
  // Public: no credentials
  system: "/api/v3/system",
  getCountryList: "/api/v3/get-country-list",
  // Sign-up and sign-in
  signup: "/api/v3/signup",
  signin: "/api/v3/signin",
  // Verification codes
  sendSms: "/api/v3/send-sms",
  sendEmail: "/api/v3/send-email",
  preCheckCode: "/api/v3/pre-check-code",
  // The signed-in user's profile
  getProfile: "/api/v3/get-profile",
  updateProfile: "/api/v3/update-profile",
  bindEmail: "/api/v3/bind-email",
  unbindEmail: "/api/v3/unbind-email",
  bindPhone: "/api/v3/bind-phone",
  unbindPhone: "/api/v3/unbind-phone",
  getSecurityInfo: "/api/v3/get-security-info",
  validatePassword: "/api/v3/validate-password",
  // Changing phone, email and password; deleting the account
  verifyUpdatePhoneRequest: "/api/v3/verify-update-phone-request",
  updatePhone: "/api/v3/update-phone",
  verifyUpdateEmailRequest: "/api/v3/verify-update-email-request",
  updateEmail: "/api/v3/update-email",
  updatePassword: "/api/v3/update-password",
  verifyResetPasswordRequest: "/api/v3/verify-reset-password-request",
  resetPassword: "/api/v3/reset-password",
  verifyDeleteAccountRequest: "/api/v3/verify-delete-account-request",
  deleteAccount: "/api/v3/delete-account",
  // Login history
  getMyLoginHistory: "/api/v3/get-my-login-history",
  getMyLoggedInApps: "/api/v3/get-my-logged-in-apps",
  // What the user may do: roles, groups, resources, permission checks (docs/authorization.md)
  getMyRoleList: "/api/v3/get-my-role-list",
  getMyGroupList: "/api/v3/get-my-group-list",
  getMyAuthorizedResources: "/api/v3/get-my-authorized-resources",
  getMyAccessibleApps: "/api/v3/get-my-accessible-apps",
  getMyDepartmentList: "/api/v3/get-my-department-list",
  getMyTenantList: "/api/v3/get-my-tenant-list",
  checkPermissionStringResource: "/api/v3/check-permission-string-resource",
  checkPermissionArrayResource: "/api/v3/check-permission-array-resource",
  checkPermissionTreeResource: "/api/v3/check-permission-tree-resource",
  getUserAuthResourceList: "/api/v3/get-user-auth-resource-list",
  getUserAuthResourcePermissionList: "/api/v3/get-user-auth-resource-permission-list",
  getUserAuthResourceStruct: "/api/v3/get-user-auth-resource-struct",
  // Multi-factor authentication: the user's own factors
  sendEnrollFactorRequest: "/api/v3/send-enroll-factor-request",
  enrollFactor: "/api/v3/enroll-factor",
  resetFactor: "/api/v3/reset-factor",
  listEnrolledFactors: "/api/v3/list-enrolled-factors",
  getFactor: "/api/v3/get-factor",
  listFactorsToEnroll: "/api/v3/list-factors-to-enroll",
  mfaTotpVerify: "/api/v3/mfa-totp-verify",
  /** Root path, no envelope. */
  mfaTokenIntrospection: "/mfa/token/introspection",
  // The MFA step of a sign-in (Authorization: Bearer <mfaToken>; GenAuth's V2 paths)
  mfaStepTotpVerify: "/api/v2/applications/mfa/totp/verify",
  mfaStepSmsVerify: "/api/v2/applications/mfa/sms/verify",
  mfaStepEmailVerify: "/api/v2/applications/mfa/email/verify",
  mfaStepRecovery: "/api/v2/mfa/totp/recovery",
  /** An authenticator enrolled inside the step (the user has no factor that counts). */
  mfaStepTotpAssociate: "/api/v2/mfa/totp/associate",
  mfaStepTotpAssociateConfirm: "/api/v2/mfa/totp/associate/confirm",
  // Passkeys (docs/passkeys.md). `:credentialId` also arrives as the SDK's literal `{credentialId}`.
  webauthnRegistration: "/api/v3/webauthn/registration",
  webauthnAuthentication: "/api/v3/webauthn/authentication",
  webauthnRegistrationInitialize: "/api/v3/webauthn/registration/initialize",
  webauthnRegistrationFinalize: "/api/v3/webauthn/registration/finalize",
  webauthnMfaBindInitialize: "/api/v3/webauthn/mfa-bind/initialize",
  webauthnMfaVerifyInitialize: "/api/v3/webauthn/mfa-verify/initialize",
  webauthnLoginInitialize: "/api/v3/webauthn/login/initialize",
  webauthnLoginFinalize: "/api/v3/webauthn/login/finalize",
  webauthnCredentials: "/api/v3/webauthn/credentials",
  webauthnCredential: "/api/v3/webauthn/credentials/:credentialId",
  webauthnPageAuthenticatorDevice: "/api/v3/webauthn/page-authenticator-device",
  webauthnCheckValidCredentials: "/api/v3/webauthn/check-valid-credentials-by-credIds",
  webauthnRemoveByAuthenticatorCode: "/api/v3/webauthn/remove-credentials-by-authenticator-code",
  webauthnRemoveCredential: "/api/v3/webauthn/remove-credential/:credentialId",
  // The SDK's "admin" names (docs/passkeys.md §The admin names): the caller's own passkeys.
  webauthnAdminInitialize: "/api/v3/webauthn/admin/initialize",
  webauthnAdminRegistrationFinalize: "/api/v3/webauthn/admin/registration/finalize",
  webauthnAdminCredential: "/api/v3/webauthn/admin/credentials/:credentialId",
  webauthnAdminCredentialOfUser: "/api/v3/webauthn/admin/credentials/:credentialId/:userId/:appId",
  webauthnPersonCredentials: "/api/v3/webauthn/person/credentials",
  // My devices: the browsers and apps the user is signed in on
  myDevicesList: "/api/v3/mydevices/list",
  myDevicesUnbind: "/api/v3/mydevices/unbind",
  myDevicesRevokeSession: "/api/v3/mydevices/revoke-session",
  // Events: a signed-in user's custom event (the management signature is accepted too)
  pubUserEvent: "/api/v3/pub-userEvent",
  // Account binding: external identity providers (docs/social-sign-in.md)
  generateLinkExtIdpUrl: "/api/v3/generate-link-extidp-url",
  unlinkExtIdp: "/api/v3/unlink-extidp",
  getIdentities: "/api/v3/get-identities",
  getApplicationEnabledExtIdps: "/api/v3/get-application-enabled-extidps",
} as const;

/** The management API (signed with an access key, or a management token): `ManagementClient`. */
export const managementPaths = {
  // Management token
  getManagementToken: "/api/v3/get-management-token",
  // Users
  createUser: "/api/v3/create-user",
  createUsersBatch: "/api/v3/create-users-batch",
  getUser: "/api/v3/get-user",
  getUserBatch: "/api/v3/get-user-batch",
  listUsers: "/api/v3/list-users",
  updateUser: "/api/v3/update-user",
  deleteUsersBatch: "/api/v3/delete-users-batch",
  isUserExists: "/api/v3/is-user-exists",
  getUserIdentities: "/api/v3/get-user-identities",
  getUserMfaInfo: "/api/v3/get-user-mfa-info",
  // User activity
  getUserLoginHistory: "/api/v3/get-user-login-history",
  getUserLoggedinApps: "/api/v3/get-user-loggedin-apps",
  kickUsers: "/api/v3/kick-users",
  unlockUser: "/api/v3/unlock-user",
  // Applications
  createApplication: "/api/v3/create-application",
  listApplications: "/api/v3/list-applications",
  getApplication: "/api/v3/get-application",
  updateApplication: "/api/v3/update-application",
  deleteApplication: "/api/v3/delete-application",
  getApplicationSecret: "/api/v3/get-application-secret",
  refreshApplicationSecret: "/api/v3/refresh-application-secret",
  // Pool settings and custom fields
  getSecuritySettings: "/api/v3/get-security-settings",
  updateSecuritySettings: "/api/v3/update-security-settings",
  getGlobalMfaSettings: "/api/v3/get-global-mfa-settings",
  updateGlobalMfaSettings: "/api/v3/update-global-mfa-settings",
  disableGlobalMfaSettings: "/api/v3/disable-global-mfa-settings",
  updateApplicationMfaSettings: "/api/v3/update-application-mfa-settings",
  getMfaTriggerData: "/api/v3/get-mfa-trigger-data",
  setMfaStatus: "/api/v3/set-mfa-status",
  getMfaStatus: "/api/v3/get-mfa-status",
  /** Gatehouse's own: an administrator removes every factor of a user (GenAuth has no such call). */
  resetUserMfa: "/api/v3/gatehouse/reset-user-mfa",
  getCustomFields: "/api/v3/get-custom-fields",
  setCustomFields: "/api/v3/set-custom-fields",
  // Access keys
  createAccessKey: "/api/v3/create-access-key",
  listAccessKey: "/api/v3/list-access-key",
  getAccessKey: "/api/v3/get-access-key",
  updateAccessKey: "/api/v3/update-access-key",
  deleteAccessKey: "/api/v3/delete-access-key",
  // Permission namespaces, and the older namespace family (the same thing)
  createPermissionNamespace: "/api/v3/create-permission-namespace",
  getPermissionNamespace: "/api/v3/get-permission-namespace",
  listPermissionNamespaces: "/api/v3/list-permission-namespaces",
  updatePermissionNamespace: "/api/v3/update-permission-namespace",
  deletePermissionNamespace: "/api/v3/delete-permission-namespace",
  createNamespace: "/api/v3/create-namespace",
  getNamespace: "/api/v3/get-namespace",
  listNamespaces: "/api/v3/list-namespaces",
  updateNamespace: "/api/v3/update-namespace",
  deleteNamespace: "/api/v3/delete-namespace",
  // Roles
  createRole: "/api/v3/create-role",
  listRoles: "/api/v3/list-roles",
  getRole: "/api/v3/get-role",
  updateRole: "/api/v3/update-role",
  deleteRolesBatch: "/api/v3/delete-roles-batch",
  assignRole: "/api/v3/assign-role",
  revokeRole: "/api/v3/revoke-role",
  listRoleMembers: "/api/v3/list-role-members",
  getUserRoles: "/api/v3/get-user-roles",
  hasAnyRole: "/api/v3/has-any-role",
  // Groups
  createGroup: "/api/v3/create-group",
  listGroups: "/api/v3/list-groups",
  getGroup: "/api/v3/get-group",
  updateGroup: "/api/v3/update-group",
  deleteGroupsBatch: "/api/v3/delete-groups-batch",
  addGroupMembers: "/api/v3/add-group-members",
  removeGroupMembers: "/api/v3/remove-group-members",
  listGroupMembers: "/api/v3/list-group-members",
  getUserGroups: "/api/v3/get-user-groups",
  // Common resources and their grants
  createResource: "/api/v3/create-resource",
  getResource: "/api/v3/get-resource",
  listResources: "/api/v3/list-resources",
  updateResource: "/api/v3/update-resource",
  deleteResource: "/api/v3/delete-resource",
  authorizeResources: "/api/v3/authorize-resources",
  getUserAuthorizedResources: "/api/v3/get-user-authorized-resources",
  // Batch and "exists" variants (docs/authorization.md §Batch calls)
  createNamespacesBatch: "/api/v3/create-namespaces-batch",
  getNamespacesBatch: "/api/v3/get-namespaces-batch",
  deleteNamespacesBatch: "/api/v3/delete-namespaces-batch",
  createPermissionNamespacesBatch: "/api/v3/create-permission-namespaces-batch",
  getPermissionNamespacesBatch: "/api/v3/get-permission-namespaces-batch",
  deletePermissionNamespacesBatch: "/api/v3/delete-permission-namespaces-batch",
  checkPermissionNamespaceExists: "/api/v3/check-permission-namespace-exists",
  createRolesBatch: "/api/v3/create-roles-batch",
  assignRoleBatch: "/api/v3/assign-role-batch",
  revokeRoleBatch: "/api/v3/revoke-role-batch",
  deleteRolesAcrossNamespaces: "/api/v3/multiple-namespace-delete-roles-batch",
  createGroupsBatch: "/api/v3/create-groups-batch",
  createOrUpdateGroup: "/api/v3/create-or-update-group",
  listPermissionNamespaceRoles: "/api/v3/list-permission-namespace-roles",
  getAllGroups: "/api/v3/get-all-groups",
  createResourcesBatch: "/api/v3/create-resources-batch",
  getResourcesBatch: "/api/v3/get-resources-batch",
  deleteResourcesBatch: "/api/v3/delete-resources-batch",
  checkDataResourceExists: "/api/v3/check-data-resource-exists",
  checkDataPolicyExists: "/api/v3/check-data-policy-exists",
  listSimpleDataPolicies: "/api/v3/list-simple-data-policies",
  listDataPolicyTargets: "/api/v3/list-data-policy-targets",
  // Application access control
  getApplicationPermissionStrategy: "/api/v3/get-application-permission-strategy",
  updateApplicationPermissionStrategy: "/api/v3/update-application-permission-strategy",
  authorizeApplicationAccess: "/api/v3/authorize-application-access",
  revokeApplicationAccess: "/api/v3/revoke-application-access",
  getUserAccessibleApps: "/api/v3/get-user-accessible-apps",
  getUserAuthorizedApps: "/api/v3/get-user-authorized-apps",
  getRoleAuthorizedResources: "/api/v3/get-role-authorized-resources",
  getGroupAuthorizedResources: "/api/v3/get-group-authorized-resources",
  // Data resources and data policies
  createStringDataResource: "/api/v3/create-string-data-resource",
  createArrayDataResource: "/api/v3/create-array-data-resource",
  createTreeDataResource: "/api/v3/create-tree-data-resource",
  getDataResource: "/api/v3/get-data-resource",
  listDataResources: "/api/v3/list-data-resources",
  updateDataResource: "/api/v3/update-data-resource",
  deleteDataResource: "/api/v3/delete-data-resource",
  createDataPolicy: "/api/v3/create-data-policy",
  listDataPolicies: "/api/v3/list-data-policies",
  getDataPolicy: "/api/v3/get-data-policy",
  updateDataPolicy: "/api/v3/update-data-policy",
  deleteDataPolicy: "/api/v3/delete-data-policy",
  authorizeDataPolicies: "/api/v3/authorize-data-policies",
  revokeDataPolicy: "/api/v3/revoke-data-policy",
  // Webhooks and events
  createWebhook: "/api/v3/create-webhook",
  listWebhooks: "/api/v3/list-webhooks",
  getWebhook: "/api/v3/get-webhook",
  updateWebhook: "/api/v3/update-webhook",
  deleteWebhook: "/api/v3/delete-webhook",
  getWebhookLogs: "/api/v3/get-webhook-logs",
  triggerWebhook: "/api/v3/trigger-webhook",
  getWebhookEventList: "/api/v3/get-webhook-event-list",
  pubEvent: "/api/v3/pub-event",
  // External identity providers and their connections (docs/social-sign-in.md)
  listExtIdp: "/api/v3/list-ext-idp",
  getExtIdp: "/api/v3/get-ext-idp",
  createExtIdp: "/api/v3/create-ext-idp",
  updateExtIdp: "/api/v3/update-ext-idp",
  deleteExtIdp: "/api/v3/delete-ext-idp",
  createExtIdpConn: "/api/v3/create-ext-idp-conn",
  updateExtIdpConn: "/api/v3/update-ext-idp-conn",
  deleteExtIdpConn: "/api/v3/delete-ext-idp-conn",
  changeExtIdpConnState: "/api/v3/change-ext-idp-conn-state",
  changeExtIdpConnAssociationState: "/api/v3/change-ext-idp-conn-association-state",
  linkIdentity: "/api/v3/link-identity",
  unlinkIdentity: "/api/v3/unlink-identity",
} as const;

/** The live event stream (websockets; docs/events.md#the-live-stream). */
export const eventStreamPaths = {
  authentication: "/events/v1/authentication/sub",
  management: "/events/v1/management/sub",
} as const;
/**
 * Tokens are issued by `<public url>/oidc`; every OIDC endpoint sits under that issuer, and
 * discovery publishes each one as the issuer plus the part after this prefix.
 */
export const OIDC_ISSUER_PATH = "/oidc";

/** OAuth 2.0 / OpenID Connect endpoints: standard errors with real HTTP statuses. */
export const oidcPaths = {
  discovery: "/oidc/.well-known/openid-configuration",
  jwks: "/oidc/.well-known/jwks.json",
  token: "/oidc/token",
  introspection: "/oidc/token/introspection",
  revocation: "/oidc/token/revocation",
  userInfo: "/oidc/me",
  endSession: "/oidc/session/end",
  /** The authorization endpoint (GET and POST). */
  authorize: "/oidc/auth",
  /** Where the browser continues an authorization once the hosted pages have answered. */
  authorizeResume: "/oidc/auth/resume/:uid",
  /** Where a confirmed logout without a registered post-logout URI ends. */
  signedOut: "/oidc/session/end/success",
} as const;

/**
 * GenAuth's OAuth 2.0 mode (the official SDK's `protocol: "oauth"`): the same endpoints as under
 * the issuer, mounted a second time here, answering without ID tokens.
 */
export const OAUTH_PATH = "/oauth";
export const oauthPaths = {
  authorize: "/oauth/auth",
  token: "/oauth/token",
  introspection: "/oauth/token/introspection",
  revocation: "/oauth/token/revocation",
  userInfo: "/oauth/me",
} as const;

/** Operations endpoints, outside the V3 API: probes and metrics. */
export const opsPaths = {
  health: "/health",
  ready: "/ready",
  metrics: "/metrics",
} as const;

/** Files Gatehouse serves itself; `defaultAvatar` is every user's `photo` until they set one. */
export const assetPaths = {
  defaultAvatar: "/assets/default-avatar.svg",
} as const;

/** The part of an `/oidc/*` path after the issuer's path, e.g. `/token` for `/oidc/token`. */
export function underIssuer(path: string): string {
  return path.startsWith(`${OIDC_ISSUER_PATH}/`) ? path.slice(OIDC_ISSUER_PATH.length) : path;
}
