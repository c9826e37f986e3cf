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

const poolsTables = (db: Executor) => ({ ...poolsRepo(db), ...poolMfaSettingsRepo(db) });
const applicationsTables = (db: Executor) => ({ ...applicationsRepo(db), ...applicationAdminRepo(db) });
const usersTables = (db: Executor) => ({
  ...usersRepo(db),
  ...userAdminRepo(db),
  ...userContactsRepo(db),
  ...userLoginsRepo(db),
});
const identitiesTables = (db: Executor) => identitiesRepo(db);
const accessKeysTables = (db: Executor) => accessKeysRepo(db);
const signatureNoncesTables = (db: Executor) => signatureNoncesRepo(db);
const customFieldsTables = (db: Executor) => customFieldsRepo(db);
const flowTokensTables = (db: Executor) => flowTokensRepo(db);
const auditTables = (db: Executor) => auditRepo(db);
const codesTables = (db: Executor) => codesRepo(db);
const rateBucketsTables = (db: Executor) => rateBucketsRepo(db);
const signingKeysTables = (db: Executor) => signingKeysRepo(db);
const sessionsTables = (db: Executor) => sessionsRepo(db);
const loginHistoryTables = (db: Executor) => loginHistoryRepo(db);
const loginCountersTables = (db: Executor) => loginCountersRepo(db);

/**
 * Repositories by table: `repos.users.findUserById(…)`. Every transaction binds a fresh set, so a
 * table's methods are built on first use of that table (a short transaction touches two or three).
 */
export class Repositories {
  constructor(readonly db: Executor) {}
  #meta?: ReturnType<typeof metaRepo>;
  get meta() {
    this.#meta ??= metaRepo(this.db);
    return this.#meta;
  }
  #pools?: ReturnType<typeof poolsTables>;
  get pools() {
    this.#pools ??= poolsTables(this.db);
    return this.#pools;
  }
  #applications?: ReturnType<typeof applicationsTables>;
  get applications() {
    this.#applications ??= applicationsTables(this.db);
    return this.#applications;
  }
  #users?: ReturnType<typeof usersTables>;
  get users() {
    this.#users ??= usersTables(this.db);
    return this.#users;
  }
  #identities?: ReturnType<typeof identitiesTables>;
  get identities() {
    this.#identities ??= identitiesTables(this.db);
    return this.#identities;
  }
  #accessKeys?: ReturnType<typeof accessKeysTables>;
  get accessKeys() {
    this.#accessKeys ??= accessKeysTables(this.db);
    return this.#accessKeys;
  }
  #signatureNonces?: ReturnType<typeof signatureNoncesTables>;
  get signatureNonces() {
    this.#signatureNonces ??= signatureNoncesTables(this.db);
    return this.#signatureNonces;
  }
  #customFields?: ReturnType<typeof customFieldsTables>;
  get customFields() {
    this.#customFields ??= customFieldsTables(this.db);
    return this.#customFields;
  }
  #flowTokens?: ReturnType<typeof flowTokensTables>;
  get flowTokens() {
    this.#flowTokens ??= flowTokensTables(this.db);
    return this.#flowTokens;
  }
  #audit?: ReturnType<typeof auditTables>;
  get audit() {
    this.#audit ??= auditTables(this.db);
    return this.#audit;
  }
  #codes?: ReturnType<typeof codesTables>;
  get codes() {
    this.#codes ??= codesTables(this.db);
    return this.#codes;
  }
  #rateBuckets?: ReturnType<typeof rateBucketsTables>;
  get rateBuckets() {
    this.#rateBuckets ??= rateBucketsTables(this.db);
    return this.#rateBuckets;
  }
  #signingKeys?: ReturnType<typeof signingKeysTables>;
  get signingKeys() {
    this.#signingKeys ??= signingKeysTables(this.db);
    return this.#signingKeys;
  }
  #sessions?: ReturnType<typeof sessionsTables>;
  get sessions() {
    this.#sessions ??= sessionsTables(this.db);
    return this.#sessions;
  }
  #loginHistory?: ReturnType<typeof loginHistoryTables>;
  get loginHistory() {
    this.#loginHistory ??= loginHistoryTables(this.db);
    return this.#loginHistory;
  }
  #loginCounters?: ReturnType<typeof loginCountersTables>;
  get loginCounters() {
    this.#loginCounters ??= loginCountersTables(this.db);
    return this.#loginCounters;
  }
}

export function repositories(db: Executor): Repositories {
  return new Repositories(db);
}
export type { Executor };
