import type { Generated } from "kysely";

/** Times are epoch milliseconds; booleans are 0/1 integers; JSON is text. Same on both dialects. */
export interface MetaTable {
  key: string;
  value: string;
}

export interface UserPoolTable {
  id: string;
  name: string;
  secret: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface ApplicationTable {
  id: string;
  pool_id: string;
  name: string;
  identifier: string;
  secret: string;
  app_type: string;
  token_endpoint_auth_method: string;
  config: string;
  created_at: number;
  updated_at: number;
}

export interface UserTable {
  id: string;
  pool_id: string;
  status: string;
  username: string | null;
  email: string | null;
  /** identifierKey(username) / identifierKey(email) (services/users/identifiers.ts): unique per pool. */
  username_key: string | null;
  email_key: string | null;
  email_verified: number;
  phone: string | null;
  phone_verified: number;
  /** When a code first proved the current email / phone (null: never — admin-vouched, or before migration 0007). */
  email_proved_at: number | null;
  phone_proved_at: number | null;
  password_hash: string | null;
  password_security_level: number | null;
  password_last_set_at: number | null;
  external_id: string | null;
  name: string | null;
  nickname: string | null;
  photo: string | null;
  gender: string;
  birthdate: string | null;
  country: string | null;
  province: string | null;
  city: string | null;
  address: string | null;
  street_address: string | null;
  postal_code: string | null;
  company: string | null;
  browser: string | null;
  device: string | null;
  given_name: string | null;
  family_name: string | null;
  middle_name: string | null;
  profile: string | null;
  preferred_username: string | null;
  website: string | null;
  zoneinfo: string | null;
  locale: string | null;
  formatted: string | null;
  region: string | null;
  identity_number: string | null;
  custom_data: string | null;
  source_type: string;
  source_id: string | null;
  register_source: string | null;
  logins_count: number;
  last_login: number | null;
  last_ip: string | null;
  last_login_app: string | null;
  reset_password_on_next_login: number;
  status_changed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface IdentityTable {
  id: string;
  pool_id: string;
  user_id: string;
  ext_idp_id: string;
  provider: string;
  type: string;
  user_id_in_idp: string;
  user_info: string | null;
  origin_conn_ids: string;
  created_at: number;
}

export interface ExtIdpTable {
  id: string;
  pool_id: string;
  name: string;
  type: string;
  tenant_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface ExtIdpConnTable {
  id: string;
  pool_id: string;
  ext_idp_id: string;
  type: string;
  identifier: string;
  display_name: string;
  logo: string;
  login_only: number;
  association: number;
  /** JSON of the settings, the client secret left out. */
  fields: string;
  /** Sealed (services/secrets/secret-box.ts). */
  client_secret: string | null;
  created_at: number;
  updated_at: number;
}

export interface ExtIdpConnAppTable {
  conn_id: string;
  app_id: string;
  pool_id: string;
}

export interface ExtIdpStateTable {
  /** sha256 of the `state` sent upstream. */
  id: string;
  pool_id: string;
  conn_id: string;
  app_id: string;
  purpose: string;
  interaction_uid: string | null;
  user_id: string | null;
  nonce: string;
  /** Sealed PKCE verifier. */
  code_verifier: string;
  /** sha256 of the browser cookie that started the round trip. */
  browser_hash: string | null;
  target_url: string | null;
  pending: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface AccessKeyTable {
  id: string;
  pool_id: string;
  secret: string;
  enabled: number;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface SignatureNonceTable {
  access_key_id: string;
  nonce: string;
  expires_at: number;
}

export interface CustomFieldTable {
  pool_id: string;
  target_type: string;
  key: string;
  data_type: string;
  label: string;
  description: string | null;
  attributes: string;
  created_at: number;
  updated_at: number;
}

export interface PoolMfaSettingsTable {
  pool_id: string;
  settings: string;
  updated_at: number;
}

export interface SigningKeyTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_pem: string;
  status: string;
  created_at: number;
  updated_at: number;
}

export interface SessionTable {
  id: string;
  pool_id: string;
  user_id: string;
  app_id: string;
  scope: string;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  end_reason: string | null;
  /** The browser session a code exchange's session was opened in (docs/oidc-provider.md). */
  parent_session_id: string | null;
  /** How the user signed in, space-separated (`pwd otp mfa`), for the ID tokens of its refreshes. */
  amr: string | null;
}

export interface RefreshTokenTable {
  id: string;
  session_id: string;
  app_id: string;
  token_hash: string;
  scope: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
}

/** A client-credentials token revoked before its expiry (migration 0008). */
export interface RevokedClientTokenTable {
  jti: string;
  access_key_id: string;
  revoked_at: number;
  expires_at: number;
}

export interface LoginHistoryTable {
  id: string;
  pool_id: string;
  user_id: string | null;
  app_id: string;
  created_at: number;
  ip: string | null;
  user_agent: string | null;
  method: string;
  success: number;
  reason: string | null;
}

export interface VerificationCodeTable {
  id: string;
  pool_id: string;
  kind: string;
  channel: string;
  /** E.164 for sms, lower-cased for email. */
  target: string;
  /** hex HMAC-SHA256 keyed with the server secret; the code itself is never stored. */
  code_hash: string;
  attempts: number;
  max_attempts: number;
  expires_at: number;
  consumed_at: number | null;
  created_at: number;
}

export interface RateBucketTable {
  key: string;
  hits: number;
  expires_at: number;
}

export interface FlowTokenTable {
  id: string;
  pool_id: string;
  user_id: string;
  purpose: string;
  token_hash: string;
  payload: string;
  expires_at: number;
  consumed_at: number | null;
  created_at: number;
}

export interface AuditEventTable {
  id: string;
  pool_id: string;
  user_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  old_value: string | null;
  new_value: string | null;
  ip: string | null;
  user_agent: string | null;
  app_id: string | null;
  created_at: number;
}

/** Authorization (migration 0009, docs/authorization.md). */
export interface AuthzNamespaceTable {
  id: string;
  pool_id: string;
  code: string;
  name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface AuthzRoleTable {
  id: string;
  pool_id: string;
  namespace_id: string;
  code: string;
  name: string;
  description: string;
  status: string;
  disable_time: number | null;
  enable_permission_apply: number;
  created_at: number;
  updated_at: number;
}

export interface AuthzGroupTable {
  id: string;
  pool_id: string;
  code: string;
  name: string;
  description: string;
  type: string;
  custom_data: string | null;
  created_at: number;
  updated_at: number;
}

/** An application's default access strategy (docs/authorization.md §Application access). */
export interface AuthzAppStrategyTable {
  app_id: string;
  pool_id: string;
  /** ALLOW_ALL or DENY_ALL */
  permission_strategy: string;
  updated_at: number;
}

/** Who may (ALLOW) or may not (DENY) use an application. */
export interface AuthzAppAccessTable {
  app_id: string;
  pool_id: string;
  /** USER, ROLE or GROUP, by id */
  target_type: string;
  target_id: string;
  effect: string;
  created_at: number;
}

export interface AuthzGroupMemberTable {
  group_id: string;
  user_id: string;
  created_at: number;
}

export interface AuthzRoleAssignmentTable {
  role_id: string;
  /** USER or GROUP */
  target_type: string;
  target_id: string;
  enable_time: number | null;
  end_time: number | null;
  created_at: number;
}

export interface AuthzResourceTable {
  id: string;
  pool_id: string;
  namespace_id: string;
  code: string;
  type: string;
  name: string | null;
  description: string | null;
  api_identifier: string | null;
  /** JSON: [{name, description}] */
  actions: string;
  created_at: number;
  updated_at: number;
}

export interface AuthzGrantTable {
  namespace_id: string;
  /** USER, ROLE or GROUP */
  subject_type: string;
  subject_id: string;
  resource: string;
  /** ALLOW or DENY */
  effect: string;
  resource_type: string;
  /** JSON: string[] */
  actions: string;
  created_at: number;
}

export interface AuthzDataResourceTable {
  id: string;
  pool_id: string;
  namespace_id: string;
  code: string;
  name: string;
  description: string | null;
  /** STRING, ARRAY or TREE */
  type: string;
  /** JSON: a string, a string[] or the tree's nodes */
  struct: string;
  /** JSON: string[] */
  actions: string;
  created_at: number;
  updated_at: number;
}

export interface AuthzDataPolicyTable {
  id: string;
  pool_id: string;
  name: string;
  description: string | null;
  /** JSON: [{effect, permissions: ["<namespace>/<resource>[/<path>…]/<action>"]}] */
  statements: string;
  created_at: number;
  updated_at: number;
}

export interface AuthzPolicyTargetTable {
  policy_id: string;
  target_type: string;
  target_id: string;
  created_at: number;
}

export interface OidcBrowserSessionTable {
  cookie_hash: string;
  session_id: string;
  pool_id: string;
  user_id: string;
  auth_time: number;
  method: string;
  /** How the user got in: amr values, space-separated (null: signed in before 0015). */
  amr: string | null;
}

export interface OidcInteractionTable {
  uid: string;
  pool_id: string;
  app_id: string;
  kind: string;
  request: string;
  user_id: string | null;
  session_id: string | null;
  outcome: string | null;
  /** A login past its first factor, waiting for the second (JSON, services/oidc/interactions.ts). */
  mfa_step: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface OidcAuthorizationCodeTable {
  code_hash: string;
  pool_id: string;
  app_id: string;
  user_id: string;
  browser_session_id: string;
  redirect_uri: string;
  scope: string;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  auth_time: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  token_session_id: string | null;
  /** The browser session's amr when the code was issued, space-separated. */
  amr: string | null;
}

export interface OidcLogoutRequestTable {
  id: string;
  app_id: string | null;
  post_logout_redirect_uri: string | null;
  state: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface OidcConsentTable {
  user_id: string;
  app_id: string;
  scope: string;
  updated_at: number;
}

export interface MfaFactorTable {
  id: string;
  pool_id: string;
  user_id: string;
  factor_type: string;
  profile: string;
  secret_sealed: string | null;
  recovery_hash: string | null;
  last_step: number;
  last_verified_at: number | null;
  created_at: number;
}

/** MFA tokens that completed a sign-in (docs/mfa.md §The API's MFA step). */
export interface MfaSpentTokenTable {
  jti: string;
  pool_id: string;
  expires_at: number;
}

/** set-mfa-status: a user's MFA trigger data, as the administrator set it. */
export interface MfaUserStatusTable {
  user_id: string;
  pool_id: string;
  trigger_data: string;
  updated_at: number;
}

/** A user's passkey (migration 0019, docs/passkeys.md). */
export interface WebauthnCredentialTable {
  id: string;
  pool_id: string;
  user_id: string;
  /** base64url */
  credential_id: string;
  /** base64url COSE key */
  public_key: string;
  counter: number;
  /** JSON array of transports. */
  transports: string;
  aaguid: string;
  device_type: string;
  backed_up: number;
  name: string;
  authenticator_code: string;
  created_at: number;
  last_used_at: number | null;
}

/** A WebAuthn ceremony in flight: single use, five minutes (docs/passkeys.md). */
export interface WebauthnChallengeTable {
  id: string;
  pool_id: string;
  ticket_hash: string;
  purpose: string;
  user_id: string | null;
  binding: string | null;
  challenge: string;
  expires_at: number;
  consumed_at: number | null;
  created_at: number;
}

/** The "add a passkey" prompt's answers, per user (migration 0021, docs/passkeys.md). */
export interface PasskeyPromptTable {
  user_id: string;
  pool_id: string;
  snoozed_until: number | null;
  never: number;
  updated_at: number;
}

/** The outbox (docs/events.md): written in the transaction of the change it reports. */
export interface EventTable {
  seq: Generated<number>;
  id: string;
  pool_id: string;
  name: string;
  user_id: string | null;
  actor_type: string;
  actor_id: string | null;
  request_id: string | null;
  /** JSON: `{eventName, data}`. */
  data: string;
  dispatched: number;
  created_at: number;
}

export interface WebhookTable {
  id: string;
  pool_id: string;
  name: string;
  url: string;
  /** JSON array of event names. */
  events: string;
  content_type: string;
  enabled: number;
  /** Sealed (secret box). */
  secret: string;
  /** JSON WebhookRetryConfig, or null for the default schedule. */
  retry_config: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveryTable {
  seq: Generated<number>;
  id: string;
  webhook_id: string;
  event_id: string;
  /** pending | delivered | failed */
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookLogTable {
  id: string;
  webhook_id: string;
  delivery_id: string | null;
  event_name: string;
  attempt: number;
  request_body: string;
  request_headers: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  success: number;
  error: string | null;
  duration_ms: number;
  created_at: number;
}

export interface Database {
  gh_meta: MetaTable;
  user_pools: UserPoolTable;
  applications: ApplicationTable;
  users: UserTable;
  identities: IdentityTable;
  access_keys: AccessKeyTable;
  signature_nonces: SignatureNonceTable;
  custom_fields: CustomFieldTable;
  pool_mfa_settings: PoolMfaSettingsTable;
  verification_codes: VerificationCodeTable;
  rate_buckets: RateBucketTable;
  signing_keys: SigningKeyTable;
  sessions: SessionTable;
  refresh_tokens: RefreshTokenTable;
  revoked_client_tokens: RevokedClientTokenTable;
  login_history: LoginHistoryTable;
  flow_tokens: FlowTokenTable;
  audit_events: AuditEventTable;
  authz_namespaces: AuthzNamespaceTable;
  authz_roles: AuthzRoleTable;
  authz_groups: AuthzGroupTable;
  authz_group_members: AuthzGroupMemberTable;
  authz_app_strategies: AuthzAppStrategyTable;
  authz_app_access: AuthzAppAccessTable;
  authz_role_assignments: AuthzRoleAssignmentTable;
  authz_resources: AuthzResourceTable;
  authz_grants: AuthzGrantTable;
  authz_data_resources: AuthzDataResourceTable;
  authz_data_policies: AuthzDataPolicyTable;
  authz_policy_targets: AuthzPolicyTargetTable;
  oidc_browser_sessions: OidcBrowserSessionTable;
  oidc_interactions: OidcInteractionTable;
  oidc_authorization_codes: OidcAuthorizationCodeTable;
  oidc_logout_requests: OidcLogoutRequestTable;
  oidc_consents: OidcConsentTable;
  mfa_factors: MfaFactorTable;
  mfa_spent_tokens: MfaSpentTokenTable;
  mfa_user_status: MfaUserStatusTable;
  events: EventTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_logs: WebhookLogTable;
  ext_idps: ExtIdpTable;
  ext_idp_conns: ExtIdpConnTable;
  ext_idp_conn_apps: ExtIdpConnAppTable;
  ext_idp_states: ExtIdpStateTable;
  webauthn_credentials: WebauthnCredentialTable;
  webauthn_challenges: WebauthnChallengeTable;
  passkey_prompts: PasskeyPromptTable;
}

export type { Generated };
