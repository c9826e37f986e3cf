/**
 * The events Gatehouse emits, by GenAuth's names (docs/events.md#event-names). `user:phone-changed`,
 * `user:email-changed` and the passkey events are Gatehouse's own; `login-failed` too (GenAuth has no name for it).
 */
export const EVENT_CATEGORIES = [
  { value: "user", name: "用户", nameEn: "User" },
  { value: "application", name: "应用", nameEn: "Application" },
  { value: "user-pool", name: "用户池", nameEn: "User pool" },
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
  test: { category: "custom", name: "测试事件", nameEn: "Test event" },
} as const;

export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** A name a webhook may subscribe to: ours, or a custom event published through pub-event. */
export const isKnownEvent = (name: string): name is EventName => Object.hasOwn(EVENTS, name);
