import type { Harness } from "../../../server/test/helpers/harness.js";
import { AuthenticationClient, type AuthenticationClientOptions } from "../../src/index.js";
import type { LiveGatehouse } from "./gatehouse.js";

let seq = 0;
/** Fresh identifiers per call so suites never trip each other's cooldowns or uniqueness rules. */
export function fresh() {
  seq += 1;
  const n = `${process.pid % 10_000}`.padStart(4, "0") + `${seq}`.padStart(4, "0");
  return {
    phone: `137${n}`,
    email: `sdk-${process.pid}-${seq}@example.com`,
    username: `sdk_${process.pid}_${seq}`,
  };
}

/** The last code the memory outbox delivered to `target` on `channel`. */
export function lastCode(h: Harness, target: string, channel: string): string {
  const code = (h.ctx as any).outbox.lastCodeFor(target, channel) as string | undefined;
  if (!code) throw new Error(`no code for ${target} on ${channel} in the outbox`);
  return code;
}

/** A client of the default app against the live server. */
export function clientFor(gh: LiveGatehouse, extra: Partial<AuthenticationClientOptions> = {}) {
  return new AuthenticationClient({
    appId: gh.h.boot.appId,
    appSecret: gh.h.boot.appSecret,
    appHost: gh.url,
    retryDelay: 1,
    ...extra,
  });
}

/** Signs up a user with email + password and returns a client signed in as them. */
export async function signedInUser(gh: LiveGatehouse, extra: Partial<AuthenticationClientOptions> = {}) {
  const id = fresh();
  const password = "Passw0rd!x";
  const client = clientFor(gh, extra);
  const { data: user } = await client.signUpByEmailPassword({ email: id.email, password });
  await client.signInByEmailPassword({
    email: id.email,
    password,
    options: { scope: "openid profile offline_access" },
  });
  return { client, user, password, ...id };
}
