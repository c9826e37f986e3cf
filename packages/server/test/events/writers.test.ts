import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * Walks every service that writes through a repository and requires it to write an event too
 * (docs/events.md#event-names), unless it is listed here with the reason it has none. A new writer
 * fails this test until it emits, or is listed.
 */
const NO_EVENT: Record<string, string> = {
  "identities/connections.ts":
    "identity-provider configuration: GenAuth has no event for it (a provider's deletion takes its identities with it, like an application's its grants)",
  "mfa/factors.ts": "factor enrolment and reset: `mfa:*` events are still to come (docs/events.md)",
  "mfa/index.ts": "factor enrolment and reset: `mfa:*` events are still to come (docs/events.md)",
  "mfa/verify.ts": "a verified second factor: its `mfa:verified` event is still to come (docs/events.md)",
  "oidc/authorization-codes.ts":
    "protocol state of one authorization request, not a change of the user or pool",
  "oidc/browser-sessions.ts": "protocol state: the browser's sign-in, ended with its sessions",
  "oidc/interactions.ts": "protocol state of one authorization request, not a change of the user or pool",
  "oidc/logout.ts": "protocol state of one sign-out request",
  "admin/access-keys.ts": "access keys are credentials, GenAuth has no event for them",
  "admin/bootstrap.ts": "the first start creates the default pool: nothing can subscribe yet",
  "admin/nonce-store.ts": "replay cache of signed requests",
  "admin/pools.ts#create": "a new pool has no webhooks or subscribers yet (rotateSecret emits)",
  "auth/lockout.ts": "counters of wrong passwords",
  "auth/mfa-step.ts":
    "the completed MFA step's `login` event is a step of loginSteps (auth/sign-in.ts); `mfa:verified` commits in mfa/verify.ts",
  "auth/login-history.ts":
    "the history row commits with the sign-in's `login` / `login-failed` (auth/sign-in.ts)",
  "codes/flow-tokens.ts": "one-time tokens of a flow; the flow's change emits",
  "profile/change-email.ts":
    "its write runs in change-contact.ts, whose audit record emits `user:email-changed`",
  "profile/change-phone.ts":
    "its write runs in change-contact.ts, whose audit record emits `user:phone-changed`",
  "devices/index.ts": "signing a device out ends sessions, like a logout: GenAuth has no event for it",
  "passkeys/challenges.ts": "one-time challenges of a WebAuthn ceremony; the ceremony's change emits",
  "passkeys/prompt.ts":
    'the answer to the hosted pages\' "add a passkey" prompt: a preference of the pages, not a change of the account',
  "secrets/master-key.ts": "server key material",
  "secrets/seal-existing.ts": "sealing stored secrets at start changes no value",
  "tokens/client-tokens.ts": "revoking a machine (client-credentials) token: GenAuth has no event for it",
  "tokens/app-config.ts": "test fixtures' direct configuration of an application",
  "tokens/sessions.ts": "sessions ended for a change that emits its own event (kick, delete, password)",
  "tokens/signing-keys.ts": "server key material",
  "users/audit.ts": "the audit log itself; events/audit-events.ts emits for every record",
  "users/identifiers.ts": "insertUser's callers emit `register` / `user:created`",
};

const WRITE =
  /\.(insert|update|delete|replace|set|mark|end|revoke|rotate|drop|prove|clear|anonymise|seal)[A-Za-z]*\(/;
const REPO_WRITE = new RegExp(`(repos|tx|trx)\\.[a-zA-Z]+${WRITE.source}`);
const EMITS =
  /\bemit(\.many|\.step)?\(|withEvents\(|audit\.record\(|emitRegistered\(|emitEmailVerified\(|appEvent\(|poolUpdated\(/;

const servicesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/services");

function serviceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === "events" ? [] : serviceFiles(p);
    return d.name.endsWith(".ts") ? [p] : [];
  });
}

it("events: every service that writes a repository emits an event, or says why not", () => {
  const silent: string[] = [];
  for (const file of serviceFiles(servicesDir)) {
    const rel = path.relative(servicesDir, file).split(path.sep).join("/");
    const text = fs.readFileSync(file, "utf8");
    if (!REPO_WRITE.test(text)) continue;
    if (EMITS.test(text)) continue;
    if (NO_EVENT[rel]) continue;
    silent.push(rel);
  }
  assert.deepEqual(
    silent,
    [],
    "these services write without an event; emit one or list the reason in NO_EVENT",
  );
});

it("events: every listed exception still exists", () => {
  for (const key of Object.keys(NO_EVENT)) {
    const file = key.split("#")[0]!;
    assert.ok(fs.existsSync(path.join(servicesDir, file)), `${key} is listed but gone`);
  }
});
