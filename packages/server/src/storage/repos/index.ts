import { accessKeysRepo } from "./access-keys.js";
import { applicationAdminRepo } from "./application-admin.js";
import { applicationsRepo } from "./applications.js";
import { auditRepo } from "./audit.js";
import { codesRepo } from "./codes.js";
import { customFieldsRepo } from "./custom-fields.js";
import type { Executor } from "./executor.js";
import { flowTokensRepo } from "./flow-tokens.js";
import { identitiesRepo } from "./identities.js";
import { loginCountersRepo } from "./login-counters.js";
import { loginHistoryRepo } from "./login-history.js";
import { metaRepo } from "./meta.js";
import { poolMfaSettingsRepo } from "./pool-mfa-settings.js";
import { poolsRepo } from "./pools.js";
import { rateBucketsRepo } from "./rate-buckets.js";
import { sessionsRepo } from "./sessions.js";
import { signatureNoncesRepo } from "./signature-nonces.js";
import { signingKeysRepo } from "./signing-keys.js";
import { userAdminRepo } from "./user-admin.js";
import { userContactsRepo } from "./user-contacts.js";
import { userLoginsRepo } from "./user-logins.js";
import { usersRepo } from "./users.js";

const factories = [
  metaRepo,
  poolsRepo,
  applicationsRepo,
  usersRepo,
  identitiesRepo,
  // management (issue 5)
  accessKeysRepo,
  signatureNoncesRepo,
  applicationAdminRepo,
  userAdminRepo,
  customFieldsRepo,
  poolMfaSettingsRepo,
  // user information (issue 4)
  userContactsRepo,
  flowTokensRepo,
  auditRepo,
  codesRepo,
  rateBucketsRepo,
  signingKeysRepo,
  sessionsRepo,
  loginHistoryRepo,
  loginCountersRepo,
  userLoginsRepo,
] as const;

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void
  ? I
  : never;
export type Repositories = UnionToIntersection<ReturnType<(typeof factories)[number]>>;

/**
 * All repositories bound to one executor. Every transaction binds a fresh set, and building all
 * ~150 methods each time cost more than the statements a short transaction runs; so the set is
 * one object whose prototype getters build a repository's methods on first use.
 */
class RepositorySet {
  readonly built: Record<string, unknown>[] = [];
  constructor(readonly db: Executor) {}
}
// The factories only create closures, so a placeholder executor tells which methods each has.
const placeholder = {} as Executor;
factories.forEach((factory, i) => {
  for (const name of Object.keys(factory(placeholder))) {
    if (Object.hasOwn(RepositorySet.prototype, name)) throw new Error(`two repositories define ${name}`);
    Object.defineProperty(RepositorySet.prototype, name, {
      get(this: RepositorySet) {
        this.built[i] ??= factory(this.db) as Record<string, unknown>;
        return this.built[i][name];
      },
    });
  }
});

export function repositories(db: Executor): Repositories {
  return new RepositorySet(db) as unknown as Repositories;
}
export type { Executor };
