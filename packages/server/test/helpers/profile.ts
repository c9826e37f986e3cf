import { freshEmail, freshPhone } from "./codes.js";
import type { Harness } from "./harness.js";
import { mgmt } from "./management.js";
import { patchPoolSettings } from "./pool-settings.js";

/**
 * Arranging user-information tests through the public API: sign up, sign in, send codes and
 * read them from the memory outbox. Numbers and addresses are unique per call, so tests do not
 * share cooldowns.
 */
export const newPhone = freshPhone;
export const newEmail = () => freshEmail("profile");
export const e164 = (national: string) => `+86${national}`;
let names = 0;
export function newUsername(): string {
  names += 1;
  return `user_${process.pid}_${names}`;
}

export interface Account {
  userId: string;
  token: string;
  sessionToken?: string;
  phone?: string;
  email?: string;
  username?: string;
  password?: string;
}

/** An /api/v3 call with the user's access token (bare, as the official SDK sends it). */
export function as(h: Harness, token: string | undefined) {
  return (method: "GET" | "POST", url: string, body?: unknown) =>
    h.api(method, url, body, token ? { authorization: token } : {});
}

export async function sendSms(h: Harness, phone: string, channel: string, token?: string): Promise<string> {
  const r = await as(h, token)("POST", "/api/v3/send-sms", { channel, phoneNumber: phone });
  if (r.statusCode !== 200) throw new Error(`send-sms ${channel} → ${JSON.stringify(r)}`);
  const code = h.ctx.outbox.lastCodeFor(e164(phone), channel);
  if (!code) throw new Error(`no ${channel} code in the outbox for ${phone}`);
  return code;
}

export async function sendEmail(h: Harness, email: string, channel: string, token?: string): Promise<string> {
  const r = await as(h, token)("POST", "/api/v3/send-email", { channel, email });
  if (r.statusCode !== 200) throw new Error(`send-email ${channel} → ${JSON.stringify(r)}`);
  const code = h.ctx.outbox.lastCodeFor(email, channel);
  if (!code) throw new Error(`no ${channel} code in the outbox for ${email}`);
  return code;
}

function expectOk(what: string, r: any) {
  if (r.statusCode !== 200) throw new Error(`${what} → ${JSON.stringify(r)}`);
  return r.data;
}

export async function signIn(h: Harness, account: string, password: string): Promise<string> {
  const r = await h.api("POST", "/api/v3/signin", {
    connection: "PASSWORD",
    passwordPayload: { account, password },
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });
  return expectOk("signin", r).access_token;
}

async function signInByPhoneCode(h: Harness, phone: string): Promise<string> {
  const passCode = await sendSms(h, phone, "CHANNEL_LOGIN");
  const r = await h.api("POST", "/api/v3/signin", {
    connection: "PASSCODE",
    passCodePayload: { phone, passCode },
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });
  return expectOk("signin by phone code", r).access_token;
}

async function signInByEmailCode(h: Harness, email: string): Promise<string> {
  const passCode = await sendEmail(h, email, "CHANNEL_LOGIN");
  const r = await h.api("POST", "/api/v3/signin", {
    connection: "PASSCODE",
    passCodePayload: { email, passCode },
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });
  return expectOk("signin by email code", r).access_token;
}

export interface NewAccount {
  phone?: boolean;
  email?: boolean;
  username?: boolean;
  /** A password, or none (passcode-only account). */
  password?: string | null;
}

/**
 * Registers a user with the requested identifiers and signs them in. A phone comes from a
 * phone-code sign-up; an email and/or username from a password sign-up, or — next to a phone —
 * from bind-email / update-profile.
 */
export async function register(
  h: Harness,
  want: NewAccount = { phone: true, email: true },
): Promise<Account> {
  const password = want.password === undefined ? "Secret-pass-123" : (want.password ?? undefined);
  const a: Omit<Account, "userId" | "token"> = {
    phone: want.phone ? newPhone() : undefined,
    email: want.email ? newEmail() : undefined,
    username: want.username ? newUsername() : undefined,
    password,
  };
  let userId: string;
  if (a.phone) {
    const passCode = await sendSms(h, a.phone, "CHANNEL_REGISTER");
    const r = await h.api("POST", "/api/v3/signup", {
      connection: "PASSCODE",
      passCodePayload: { phone: a.phone, passCode },
      ...(password ? { options: { passwordForPhonePassCode: password } } : {}),
    });
    userId = expectOk("signup by phone code", r).userId;
  } else if (a.email && !password) {
    const passCode = await sendEmail(h, a.email, "CHANNEL_REGISTER");
    const r = await h.api("POST", "/api/v3/signup", {
      connection: "PASSCODE",
      passCodePayload: { email: a.email, passCode },
    });
    userId = expectOk("signup by email code", r).userId;
  } else {
    if (!password) throw new Error("a username-only account needs a password");
    const r = await h.api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: {
        password,
        ...(a.email ? { email: a.email } : {}),
        ...(a.username ? { username: a.username } : {}),
      },
    });
    userId = expectOk("signup by password", r).userId;
  }

  const token = a.phone
    ? password
      ? await signIn(h, a.phone, password)
      : await signInByPhoneCode(h, a.phone)
    : password
      ? await signIn(h, (a.email ?? a.username) as string, password)
      : await signInByEmailCode(h, a.email as string);

  if (a.phone && a.email) {
    const passCode = await sendEmail(h, a.email, "CHANNEL_BIND_EMAIL", token);
    expectOk("bind-email", await as(h, token)("POST", "/api/v3/bind-email", { email: a.email, passCode }));
  }
  if (a.phone && a.username) {
    expectOk(
      "update-profile",
      await as(h, token)("POST", "/api/v3/update-profile", { username: a.username }),
    );
  }
  return { ...a, userId, token };
}

/** Changes pool settings the way an administrator would (the management API stores the same JSON). */
export const setPoolSettings = (h: Harness, patch: Record<string, unknown>) => patchPoolSettings(h, patch);

export async function resetPoolSettings(h: Harness) {
  await h.ctx.repos.pools.updatePoolSettings(h.boot.userPoolId, "{}", Date.now());
}

export async function profileOf(h: Harness, token: string) {
  return expectOk("get-profile", await as(h, token)("GET", "/api/v3/get-profile"));
}

/** Deletes a user through the management API, freeing their phone, email and username. */
export async function deleteUser(h: Harness, userId: string): Promise<void> {
  const r = await mgmt(h, "POST", "/api/v3/delete-users-batch", { body: { userIds: [userId] } });
  if (r.statusCode !== 200) throw new Error(`delete-users-batch → ${JSON.stringify(r)}`);
}
