import type { AddressInfo } from "node:net";
import { before } from "node:test";
import { AuthenticationClient } from "authing-node-sdk";
import {
  setTokenEndpointAuthMethod,
  type TokenEndpointAuthMethod,
} from "../../packages/server/src/services/tokens/app-config.js";
import {
  describeEachDialect,
  type Harness,
  type HarnessOptions,
} from "../../packages/server/test/helpers/harness.js";

/**
 * Compat harness: the UNMODIFIED official `authing-node-sdk@4.0.1` against a Gatehouse that
 * really listens (127.0.0.1, a random port), on SQLite and on PostgreSQL. Codes are read from
 * the memory outbox (`ctx.outbox`).
 */
export interface Gatehouse {
  h: Harness;
  /** http://127.0.0.1:<port> — the SDK's `appHost`. */
  url: string;
}

export type AuthMethod = TokenEndpointAuthMethod;
export const AUTH_METHODS: readonly AuthMethod[] = ["client_secret_post", "client_secret_basic", "none"];

/** Code and sign-up limits high enough for a suite sending many codes and signing up from 127.0.0.1. */
const compatConfig: HarnessOptions["config"] = {
  codeIpHourlyLimit: 1_000_000,
  codeTargetHourlyLimit: 1_000_000,
  smsPoolHourlyLimit: 1_000_000,
  emailPoolHourlyLimit: 1_000_000,
  signUpIpHourlyLimit: 1_000_000,
  signUpPoolHourlyLimit: 1_000_000,
};

/** `describeEachDialect` with a listening server: `describeCompat("x", (g) => it(..., () => g().url))`. */
export function describeCompat(
  title: string,
  body: (g: () => Gatehouse) => void,
  options: HarnessOptions = {},
) {
  describeEachDialect(
    title,
    (h) => {
      let url = "";
      before(async () => {
        await h().app.listen({ port: 0, host: "127.0.0.1" });
        url = `http://127.0.0.1:${(h().app.server.address() as AddressInfo).port}`;
      });
      body(() => ({ h: h(), url }));
    },
    { ...options, config: { ...compatConfig, ...options.config } },
  );
}

export interface ClientOptions {
  appId?: string;
  appSecret?: string;
  scope?: string;
  accessToken?: string;
}

/**
 * An AuthenticationClient for the default app (or another) using `method` at the token,
 * introspection and revocation endpoints alike. With `none` no secret is given to the SDK.
 */
export function authClient(g: Gatehouse, method: AuthMethod = "client_secret_post", o: ClientOptions = {}) {
  const client = new AuthenticationClient({
    appId: o.appId ?? g.h.boot.appId,
    appSecret: method === "none" ? undefined : (o.appSecret ?? g.h.boot.appSecret),
    appHost: g.url,
    tokenEndPointAuthMethod: method,
    introspectionEndPointAuthMethod: method,
    revocationEndPointAuthMethod: method,
    ...(o.scope ? { scope: o.scope } : {}),
  } as ConstructorParameters<typeof AuthenticationClient>[0]);
  if (o.accessToken) client.setAccessToken(o.accessToken);
  return client;
}

/** Switches how an application authenticates (the management API will do this later). */
export async function useAuthMethod(g: Gatehouse, method: AuthMethod, appId = g.h.boot.appId): Promise<void> {
  if (!(await setTokenEndpointAuthMethod(g.h.ctx.repos, g.h.ctx.clock, appId, method))) {
    throw new Error(`no application ${appId}`);
  }
}

/** The latest code sent to a phone (national or E.164) or an email on `channel`. */
export function codeFor(g: Gatehouse, to: string, channel: string): string {
  const code = g.h.ctx.outbox.lastCodeFor(to, channel);
  if (!code) throw new Error(`no code for ${to} on ${channel} in the outbox`);
  return code;
}

let seq = 0;
/** A fresh mainland-China mobile number (national form) per call. */
export function newPhone(): string {
  seq += 1;
  return `137${String(process.pid % 10_000).padStart(4, "0")}${String(seq).padStart(4, "0")}`;
}

/** A fresh email address per call. */
export function newEmail(prefix = "sdk"): string {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}@example.com`;
}

export { AuthenticationClient };
