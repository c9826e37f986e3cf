import type { Harness } from "./harness.js";

/** Sign-up / sign-in through the public API, as the default application (client_secret_post). */
export async function signUpByEmail(h: Harness, email: string, password: string, extra: object = {}) {
  return h.api("POST", "/api/v3/signup", {
    connection: "PASSWORD",
    passwordPayload: { email, password },
    ...extra,
  });
}

export async function signInByPassword(
  h: Harness,
  payload: Record<string, string | undefined>,
  options: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return h.api(
    "POST",
    "/api/v3/signin",
    {
      connection: "PASSWORD",
      passwordPayload: payload,
      options,
      client_id: h.boot.appId,
      client_secret: h.boot.appSecret,
    },
    headers,
  );
}

export async function signInByCode(h: Harness, payload: object, options: object = {}) {
  return h.api("POST", "/api/v3/signin", {
    connection: "PASSCODE",
    passCodePayload: payload,
    options,
    client_id: h.boot.appId,
    client_secret: h.boot.appSecret,
  });
}

/** A signed-in user's id and token set (tests ask for the scopes that yield the tokens they use). */
export interface SignedInUser {
  userId: string;
  access_token: string;
  id_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

/** Registers and signs in a fresh user; returns the tokens. */
export async function signedInUser(
  h: Harness,
  email: string,
  password = "correct horse 1",
  scope?: string,
): Promise<SignedInUser> {
  const up = await signUpByEmail(h, email, password);
  if (up.statusCode !== 200) throw new Error(`sign-up failed: ${JSON.stringify(up)}`);
  const res = await signInByPassword(h, { email, password }, scope ? { scope } : {});
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${JSON.stringify(res)}`);
  return { userId: up.data.userId as string, ...res.data };
}

/** Decodes a JWT payload without verifying it. */
export function jwtPayload(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

export function jwtHeader(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8"));
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

/** POST a form to /oidc/*; returns status, headers and parsed body. */
export async function form(
  h: Harness,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await h.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
  let body: any = res.body;
  try {
    body = res.json();
  } catch {
    // empty or non-JSON body
  }
  return { status: res.statusCode, headers: res.headers, body };
}

/** A second application in the default pool with the given token endpoint auth method. */
export async function createApp(
  h: Harness,
  method: "client_secret_post" | "client_secret_basic" | "none",
  config: Record<string, unknown> = {},
): Promise<{ appId: string; appSecret: string }> {
  const { newId, newSecret } = await import("../../src/lib/ids.js");
  const { defaultAppConfig } = await import("../../src/services/admin/bootstrap.js");
  const appId = newId();
  const appSecret = newSecret();
  const now = Date.now();
  await h.ctx.repos.applications.insertApplication({
    id: appId,
    pool_id: h.boot.userPoolId,
    name: `app ${method}`,
    identifier: appId,
    secret: h.ctx.keys.box.seal("app-secret", appId, appSecret),
    app_type: "web",
    token_endpoint_auth_method: method,
    config: JSON.stringify({ ...defaultAppConfig(), ...config }),
    created_at: now,
    updated_at: now,
  });
  return { appId, appSecret };
}

/** Inserts a user with a password (or a given hash) directly, for sign-in tests. */
export async function insertUserWithPassword(
  h: Harness,
  fields: Record<string, unknown>,
  password: string | undefined,
  hash?: string,
): Promise<string> {
  const { newUserRow } = await import("../../src/services/users/identifiers.js");
  const row = newUserRow(h.boot.userPoolId, Date.now(), {
    ...fields,
    password_hash: hash ?? (password !== undefined ? await h.ctx.passwords.hash(password) : null),
  });
  await h.ctx.repos.users.insertUser(row);
  return row.id;
}
