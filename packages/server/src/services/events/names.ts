/**
 * The events Gatehouse emits, by GenAuth's names (docs/events.md#event-names). `user:phone-changed`,
 * `user:email-changed` and the passkey events are Gatehouse's own; `login-failed`, `mfa:enrolled`
 * and `mfa:reset` too (GenAuth has no name for them), and the `namespace:*`, `resource:*` and
 * `data-policy:*` events of the authorization model.
 */
export const EVENT_CATEGORIES = [
  { value: "user", name: "用户", nameEn: "User" },
  { value: "application", name: "应用", nameEn: "Application" },
  { value: "user-pool", name: "用户池", nameEn: "User pool" },
  { value: "role", name: "角色", nameEn: "Role" },
  { value: "group", name: "分组", nameEn: "Group" },
  { value: "permission", name: "权限", nameEn: "Permission" },
  { value: "custom", name: "测试", nameEn: "Test" },
] as const;

export const EVENTS = {
  register: { category: "user", name: "用户注册", nameEn: "User registered" },
  login: { category: "user", name: "用户登录", nameEn: "User logged in" },
  "login-failed": { category: "user", name: "用户登录失败", nameEn: "Login failed" },
  kick: { category: "user", name: "用户被强制下线", nameEn: "User kicked offline" },
  "refresh-token": { category: "user", name: "刷新 Token", nameEn: "Token refreshed" },
  "user:created": { category: "user", name: "创建用户", nameEn: "User created" },
  "user:updated": { category: "user", name: "修改用户信息", nameEn: "User updated" },
  "user:deleted": { category: "user", name: "删除用户", nameEn: "User deleted" },
  "user:password-changed": { category: "user", name: "修改密码", nameEn: "Password changed" },
  "user:email-verified": { category: "user", name: "邮箱已验证", nameEn: "Email verified" },
  "user:blocked": { category: "user", name: "禁用用户", nameEn: "User blocked" },
  "user:unblocked": { category: "user", name: "启用用户", nameEn: "User unblocked" },
  "user:phone-changed": { category: "user", name: "修改手机号", nameEn: "Phone changed" },
  "user:email-changed": { category: "user", name: "修改邮箱", nameEn: "Email changed" },
  "mfa:verified": { category: "user", name: "MFA 验证成功", nameEn: "Second factor verified" },
  "mfa:enrolled": { category: "user", name: "绑定 MFA", nameEn: "Second factor enrolled" },
  "mfa:reset": { category: "user", name: "解绑 MFA", nameEn: "Second factor removed" },
  "user:link-account": { category: "user", name: "绑定外部身份源", nameEn: "External identity linked" },
  "user:unlink-account": { category: "user", name: "解绑外部身份源", nameEn: "External identity unlinked" },
  "user:passkey-added": { category: "user", name: "添加 Passkey", nameEn: "Passkey added" },
  "user:passkey-updated": { category: "user", name: "修改 Passkey", nameEn: "Passkey renamed" },
  "user:passkey-removed": { category: "user", name: "删除 Passkey", nameEn: "Passkey removed" },
  "application:created": { category: "application", name: "创建应用", nameEn: "Application created" },
  "application:updated": { category: "application", name: "修改应用", nameEn: "Application updated" },
  "application:deleted": { category: "application", name: "删除应用", nameEn: "Application deleted" },
  "application:secret-refreshed": {
    category: "application",
    name: "刷新应用密钥",
    nameEn: "Application secret refreshed",
  },
  "user-pool:updated": { category: "user-pool", name: "修改用户池", nameEn: "User pool updated" },
  "user-pool:secret-refreshed": {
    category: "user-pool",
    name: "刷新用户池密钥",
    nameEn: "User pool secret refreshed",
  },
  "role:created": { category: "role", name: "创建角色", nameEn: "Role created" },
  "role:updated": { category: "role", name: "修改角色", nameEn: "Role updated" },
  "role:deleted": { category: "role", name: "删除角色", nameEn: "Role deleted" },
  "role:assigned": { category: "role", name: "分配角色", nameEn: "Role assigned" },
  "role:revoked": { category: "role", name: "撤销角色", nameEn: "Role revoked" },
  "group:created": { category: "group", name: "创建分组", nameEn: "Group created" },
  "group:updated": { category: "group", name: "修改分组", nameEn: "Group updated" },
  "group:deleted": { category: "group", name: "删除分组", nameEn: "Group deleted" },
  "group:members-added": { category: "group", name: "添加分组成员", nameEn: "Group members added" },
  "group:members-removed": { category: "group", name: "移除分组成员", nameEn: "Group members removed" },
  "permission:add": { category: "permission", name: "授权", nameEn: "Permission granted" },
  "permission:revoke": { category: "permission", name: "撤销授权", nameEn: "Permission revoked" },
  "namespace:created": { category: "permission", name: "创建权限空间", nameEn: "Namespace created" },
  "namespace:updated": { category: "permission", name: "修改权限空间", nameEn: "Namespace updated" },
  "namespace:deleted": { category: "permission", name: "删除权限空间", nameEn: "Namespace deleted" },
  "resource:created": { category: "permission", name: "创建资源", nameEn: "Resource created" },
  "resource:updated": { category: "permission", name: "修改资源", nameEn: "Resource updated" },
  "resource:deleted": { category: "permission", name: "删除资源", nameEn: "Resource deleted" },
  "data-policy:created": { category: "permission", name: "创建数据策略", nameEn: "Data policy created" },
  "data-policy:updated": { category: "permission", name: "修改数据策略", nameEn: "Data policy updated" },
  "data-policy:deleted": { category: "permission", name: "删除数据策略", nameEn: "Data policy deleted" },
  "application:access-changed": {
    category: "application",
    name: "修改应用访问控制",
    nameEn: "Application access changed",
  },
  test: { category: "custom", name: "测试事件", nameEn: "Test event" },
} as const;

export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** A name a webhook may subscribe to: ours, or a custom event published through pub-event. */
export const isKnownEvent = (name: string): name is EventName => Object.hasOwn(EVENTS, name);
