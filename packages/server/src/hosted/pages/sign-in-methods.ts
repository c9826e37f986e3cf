import type { ApplicationDto } from "@gatehouse/protocol";
import type { Texts } from "../texts/index.js";

/**
 * Which ways of signing in a page offers, from the application's
 * `loginConfig.enabledBasicLoginMethods` (docs/hosted-pages.md, "Sign in").
 */
export type PageMethod = "password" | "sms" | "email";
export type PasswordKind = "email" | "phone" | "username";

const PASSWORD_KINDS: Record<string, PasswordKind> = {
  EMAIL_PASSWORD: "email",
  PHONE_PASSWORD: "phone",
  USERNAME_PASSWORD: "username",
};

export function passwordKinds(app: ApplicationDto): PasswordKind[] {
  return app.loginConfig.enabledBasicLoginMethods.flatMap((m) => {
    const kind = PASSWORD_KINDS[m];
    return kind ? [kind] : [];
  });
}

export function enabledMethods(app: ApplicationDto): PageMethod[] {
  const enabled = new Set(app.loginConfig.enabledBasicLoginMethods);
  const out: PageMethod[] = [];
  if (passwordKinds(app).length > 0) out.push("password");
  if (enabled.has("PHONE_CODE")) out.push("sms");
  if (enabled.has("EMAIL_CODE")) out.push("email");
  return out;
}

/** The method a page shows: the one asked for when enabled, else the application's default, else the first. */
export function pickMethod(app: ApplicationDto, asked: string | undefined): PageMethod | undefined {
  const methods = enabledMethods(app);
  if (asked && (methods as string[]).includes(asked)) return asked as PageMethod;
  const byDefault =
    app.loginConfig.defaultLoginMethod.connectionType === "PASSCODE" ? ["sms", "email"] : ["password"];
  return methods.find((m) => byDefault.includes(m)) ?? methods[0];
}

/**
 * Which identifier a typed account is, among the enabled ones: an email looks like one, a phone
 * number is digits, anything else (or a shape whose kind is off) is a username when usernames
 * are enabled. Undefined: no enabled kind fits.
 */
export function accountKind(account: string, kinds: PasswordKind[]): PasswordKind | undefined {
  const value = account.trim();
  const shaped: PasswordKind = value.includes("@")
    ? "email"
    : /^\+?[0-9][0-9 ()-]{3,}$/.test(value)
      ? "phone"
      : "username";
  if (kinds.includes(shaped)) return shaped;
  return kinds.includes("username") ? "username" : undefined;
}

/** "Email or username", "手机号或用户名"… */
export function accountLabel(t: Texts, kinds: PasswordKind[]): string {
  return kinds.map((k) => t.signIn.account[k]).join(t.signIn.or);
}
