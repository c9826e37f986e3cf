import type { CookieSerializeOptions } from "@fastify/cookie";

/**
 * What the hosted pages ask of the OpenID Provider (services/oidc): the interaction a page
 * completes and the logout it confirms. The pages hold no protocol state of their own.
 */
export interface Interaction {
  uid: string;
  kind: "login" | "consent";
  poolId: string;
  appId: string;
  appName: string;
  scopes: string[];
  prompt: string[];
  loginHint?: string;
  uiLocales?: string;
  /** Set for consent: the user who signed in. */
  userId?: string;
  expiresAt: number;
}

export type LoginMethod = "password" | "sms" | "email";

export interface Interactions {
  find(uid: string): Promise<Interaction | undefined>;
  finishLogin(
    uid: string,
    login: { userId: string; method: LoginMethod; ip: string | null; userAgent: string | null },
  ): Promise<{ redirectTo: string; cookie: { name: string; value: string; options: CookieSerializeOptions } }>;
  finishConsent(uid: string, answer: { granted: boolean }): Promise<{ redirectTo: string }>;
  abort(uid: string): Promise<{ redirectTo: string }>;
}

export interface LogoutRequests {
  find(id: string): Promise<{ id: string; appName?: string; expiresAt: number } | undefined>;
  confirm(
    id: string,
    cookieValue: string | undefined,
  ): Promise<{ redirectTo: string; clearCookie: { name: string; options: CookieSerializeOptions } }>;
}

export interface HostedOidc {
  interactions: Interactions;
  logout: LogoutRequests;
}
