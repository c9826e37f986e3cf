/** Default message texts in GenAuth's two locales. `{name}` placeholders are filled by templates.ts. */
export type Locale = "zh-CN" | "en-US";

/** What each channel's code is for, as a phrase that fits "…to {action}" / "您正在{action}". */
export const channelActions: Record<string, Record<Locale, string>> = {
  CHANNEL_LOGIN: { "zh-CN": "登录", "en-US": "sign in" },
  CHANNEL_REGISTER: { "zh-CN": "注册账号", "en-US": "create your account" },
  CHANNEL_RESET_PASSWORD: { "zh-CN": "重置密码", "en-US": "reset your password" },
  CHANNEL_BIND_PHONE: { "zh-CN": "绑定手机号", "en-US": "link this phone number" },
  CHANNEL_UNBIND_PHONE: { "zh-CN": "解绑或更换手机号", "en-US": "unlink or change this phone number" },
  CHANNEL_BIND_MFA: { "zh-CN": "绑定多因素认证", "en-US": "set up multi-factor authentication" },
  CHANNEL_VERIFY_MFA: { "zh-CN": "进行多因素认证", "en-US": "complete multi-factor authentication" },
  CHANNEL_UNBIND_MFA: { "zh-CN": "解绑多因素认证", "en-US": "remove multi-factor authentication" },
  CHANNEL_COMPLETE_PHONE: { "zh-CN": "补全手机号", "en-US": "add this phone number to your account" },
  CHANNEL_IDENTITY_VERIFICATION: { "zh-CN": "进行实名认证", "en-US": "verify your identity" },
  CHANNEL_DELETE_ACCOUNT: { "zh-CN": "注销账号", "en-US": "delete your account" },
  CHANNEL_VERIFY_EMAIL_LINK: { "zh-CN": "验证邮箱", "en-US": "verify this email address" },
  CHANNEL_UPDATE_EMAIL: { "zh-CN": "修改邮箱", "en-US": "change your email address" },
  CHANNEL_BIND_EMAIL: { "zh-CN": "绑定邮箱", "en-US": "link this email address" },
  CHANNEL_UNBIND_EMAIL: { "zh-CN": "解绑邮箱", "en-US": "unlink this email address" },
  CHANNEL_UNLOCK_ACCOUNT: { "zh-CN": "解锁账号", "en-US": "unlock your account" },
  CHANNEL_COMPLETE_EMAIL: { "zh-CN": "补全邮箱", "en-US": "add this email address to your account" },
};

export const codeTexts: Record<Locale, { sms: string; subject: string; email: string }> = {
  "zh-CN": {
    sms: "您正在{action}，验证码为 {code}，{minutes} 分钟内有效。请勿将验证码告诉他人；如非本人操作，请忽略本短信。",
    subject: "{action}验证码：{code}",
    email:
      "您好：\n\n您正在{action}，验证码为 {code}，{minutes} 分钟内有效。\n\n请勿将验证码告诉他人；如非本人操作，请忽略本邮件。",
  },
  "en-US": {
    sms: "Your code to {action} is {code}. It expires in {minutes} min. Never share it; if this wasn't you, ignore this message.",
    subject: "Your code to {action}: {code}",
    email:
      "Hello,\n\nYour code to {action} is {code}. It expires in {minutes} min.\n\nNever share it with anyone. If this wasn't you, ignore this email.",
  },
};

/** Notifications after account changes (no code, no link). Placeholders listed per purpose. */
export const notificationTexts: Record<string, Record<Locale, { subject: string; text: string }>> = {
  /** {newPhone}: the new number, masked. */
  phone_changed: {
    "zh-CN": {
      subject: "您的账号手机号已更换",
      text: "您账号绑定的手机号已于 {time} 更换为 {newPhone}。如非本人操作，请立即联系管理员。",
    },
    "en-US": {
      subject: "The phone number of your account was changed",
      text: "The phone number of your account was changed to {newPhone} at {time}. If this wasn't you, contact your administrator at once.",
    },
  },
  /** {newEmail}: the new address, masked. */
  email_changed: {
    "zh-CN": {
      subject: "您的账号邮箱已更换",
      text: "您账号绑定的邮箱已于 {time} 更换为 {newEmail}。如非本人操作，请立即联系管理员。",
    },
    "en-US": {
      subject: "The email address of your account was changed",
      text: "The email address of your account was changed to {newEmail} at {time}. If this wasn't you, contact your administrator at once.",
    },
  },
  password_changed: {
    "zh-CN": {
      subject: "您的账号密码已修改",
      text: "您的账号密码已于 {time} 修改。如非本人操作，请立即重置密码并联系管理员。",
    },
    "en-US": {
      subject: "Your password was changed",
      text: "Your password was changed at {time}. If this wasn't you, reset your password and contact your administrator at once.",
    },
  },
  password_reset: {
    "zh-CN": {
      subject: "您的账号密码已重置",
      text: "您的账号密码已于 {time} 通过找回密码重置。如非本人操作，请立即联系管理员。",
    },
    "en-US": {
      subject: "Your password was reset",
      text: "Your password was reset at {time} through forgotten-password recovery. If this wasn't you, contact your administrator at once.",
    },
  },
  phone_bound: {
    "zh-CN": { subject: "手机号已绑定", text: "手机号 {phone} 已于 {time} 绑定到您的账号。" },
    "en-US": {
      subject: "Phone number linked",
      text: "The phone number {phone} was linked to your account at {time}.",
    },
  },
  phone_unbound: {
    "zh-CN": { subject: "手机号已解绑", text: "手机号 {phone} 已于 {time} 从您的账号解绑。" },
    "en-US": {
      subject: "Phone number unlinked",
      text: "The phone number {phone} was unlinked from your account at {time}.",
    },
  },
  email_bound: {
    "zh-CN": { subject: "邮箱已绑定", text: "邮箱 {email} 已于 {time} 绑定到您的账号。" },
    "en-US": {
      subject: "Email address linked",
      text: "The email address {email} was linked to your account at {time}.",
    },
  },
  email_unbound: {
    "zh-CN": { subject: "邮箱已解绑", text: "邮箱 {email} 已于 {time} 从您的账号解绑。" },
    "en-US": {
      subject: "Email address unlinked",
      text: "The email address {email} was unlinked from your account at {time}.",
    },
  },
  account_deleted: {
    "zh-CN": {
      subject: "您的账号已注销",
      text: "您的账号已于 {time} 注销。如非本人操作，请立即联系管理员。",
    },
    "en-US": {
      subject: "Your account was deleted",
      text: "Your account was deleted at {time}. If this wasn't you, contact your administrator at once.",
    },
  },
};
