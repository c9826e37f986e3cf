import { accessKeysRepo } from "./access-keys.js";
import { applicationAdminRepo } from "./application-admin.js";
import { applicationsRepo } from "./applications.js";
import { auditRepo } from "./audit.js";
import { authzAppsRepo } from "./authz-apps.js";
import { authzModelRepo } from "./authz-model.js";
import { authzResourcesRepo } from "./authz-resources.js";
import { clientTokensRepo } from "./client-tokens.js";
import { codesRepo } from "./codes.js";
import { customFieldsRepo } from "./custom-fields.js";
import { eventsRepo } from "./events.js";
import type { Executor } from "./executor.js";
import { extIdpStatesRepo, extIdpsRepo } from "./ext-idps.js";
import { flowTokensRepo } from "./flow-tokens.js";
import { identitiesRepo } from "./identities.js";
import { loginCountersRepo } from "./login-counters.js";
import { loginHistoryRepo } from "./login-history.js";
import { metaRepo } from "./meta.js";
import { mfaFactorsRepo } from "./mfa-factors.js";
import { mfaSigninRepo } from "./mfa-signin.js";
import { oidcRepo } from "./oidc.js";
import { poolMfaSettingsRepo } from "./pool-mfa-settings.js";
import { poolsRepo } from "./pools.js";
import { rateBucketsRepo } from "./rate-buckets.js";
import { sealedColumnsRepo } from "./sealed-columns.js";
import { sessionsRepo } from "./sessions.js";
import { signatureNoncesRepo } from "./signature-nonces.js";
import { signingKeysRepo } from "./signing-keys.js";
import { userAdminRepo } from "./user-admin.js";
import { userContactsRepo } from "./user-contacts.js";
import { userLoginsRepo } from "./user-logins.js";
import { usersRepo } from "./users.js";
import { webauthnRepo } from "./webauthn.js";
import { webhooksRepo } from "./webhooks.js";

const pools = (db: Executor) => ({ ...poolsRepo(db), ...poolMfaSettingsRepo(db) });
const applications = (db: Executor) => ({ ...applicationsRepo(db), ...applicationAdminRepo(db) });
const mfaFactors = (db: Executor) => ({ ...mfaFactorsRepo(db), ...mfaSigninRepo(db) });
const authz = (db: Executor) => ({ ...authzModelRepo(db), ...authzResourcesRepo(db), ...authzAppsRepo(db) });

/**
 * Repositories by table, `repos.users.findUserById(…)`; the users table has four, by concern
 * (`users`: reads and the profile's writes, `userContacts`, `userLogins`, `userAdmin`). Every
 * transaction binds a fresh set, so a repository's methods (closures over the executor) are built
 * on its first use: a short transaction touches two or three of them, not all ~150 methods.
 */
export class Repositories {
  constructor(readonly db: Executor) {}
  #meta?: ReturnType<typeof metaRepo>;
  get meta() {
    this.#meta ??= metaRepo(this.db);
    return this.#meta;
  }
  #pools?: ReturnType<typeof pools>;
  get pools() {
    this.#pools ??= pools(this.db);
    return this.#pools;
  }
  #applications?: ReturnType<typeof applications>;
  get applications() {
    this.#applications ??= applications(this.db);
    return this.#applications;
  }
  #users?: ReturnType<typeof usersRepo>;
  get users() {
    this.#users ??= usersRepo(this.db);
    return this.#users;
  }
  #userContacts?: ReturnType<typeof userContactsRepo>;
  get userContacts() {
    this.#userContacts ??= userContactsRepo(this.db);
    return this.#userContacts;
  }
  #userLogins?: ReturnType<typeof userLoginsRepo>;
  get userLogins() {
    this.#userLogins ??= userLoginsRepo(this.db);
    return this.#userLogins;
  }
  #userAdmin?: ReturnType<typeof userAdminRepo>;
  get userAdmin() {
    this.#userAdmin ??= userAdminRepo(this.db);
    return this.#userAdmin;
  }
  #identities?: ReturnType<typeof identitiesRepo>;
  get identities() {
    this.#identities ??= identitiesRepo(this.db);
    return this.#identities;
  }
  #webauthn?: ReturnType<typeof webauthnRepo>;
  get webauthn() {
    this.#webauthn ??= webauthnRepo(this.db);
    return this.#webauthn;
  }
  #mfaFactors?: ReturnType<typeof mfaFactors>;
  get mfaFactors() {
    this.#mfaFactors ??= mfaFactors(this.db);
    return this.#mfaFactors;
  }
  #accessKeys?: ReturnType<typeof accessKeysRepo>;
  get accessKeys() {
    this.#accessKeys ??= accessKeysRepo(this.db);
    return this.#accessKeys;
  }
  #signatureNonces?: ReturnType<typeof signatureNoncesRepo>;
  get signatureNonces() {
    this.#signatureNonces ??= signatureNoncesRepo(this.db);
    return this.#signatureNonces;
  }
  #customFields?: ReturnType<typeof customFieldsRepo>;
  get customFields() {
    this.#customFields ??= customFieldsRepo(this.db);
    return this.#customFields;
  }
  #flowTokens?: ReturnType<typeof flowTokensRepo>;
  get flowTokens() {
    this.#flowTokens ??= flowTokensRepo(this.db);
    return this.#flowTokens;
  }
  #audit?: ReturnType<typeof auditRepo>;
  get audit() {
    this.#audit ??= auditRepo(this.db);
    return this.#audit;
  }
  #events?: ReturnType<typeof eventsRepo>;
  get events() {
    this.#events ??= eventsRepo(this.db);
    return this.#events;
  }
  #extIdps?: ReturnType<typeof extIdpsRepo>;
  get extIdps() {
    this.#extIdps ??= extIdpsRepo(this.db);
    return this.#extIdps;
  }
  #extIdpStates?: ReturnType<typeof extIdpStatesRepo>;
  get extIdpStates() {
    this.#extIdpStates ??= extIdpStatesRepo(this.db);
    return this.#extIdpStates;
  }
  #webhooks?: ReturnType<typeof webhooksRepo>;
  get webhooks() {
    this.#webhooks ??= webhooksRepo(this.db);
    return this.#webhooks;
  }
  #codes?: ReturnType<typeof codesRepo>;
  get codes() {
    this.#codes ??= codesRepo(this.db);
    return this.#codes;
  }
  #rateBuckets?: ReturnType<typeof rateBucketsRepo>;
  get rateBuckets() {
    this.#rateBuckets ??= rateBucketsRepo(this.db);
    return this.#rateBuckets;
  }
  #signingKeys?: ReturnType<typeof signingKeysRepo>;
  get signingKeys() {
    this.#signingKeys ??= signingKeysRepo(this.db);
    return this.#signingKeys;
  }
  #sealedColumns?: ReturnType<typeof sealedColumnsRepo>;
  get sealedColumns() {
    this.#sealedColumns ??= sealedColumnsRepo(this.db);
    return this.#sealedColumns;
  }
  #clientTokens?: ReturnType<typeof clientTokensRepo>;
  get clientTokens() {
    this.#clientTokens ??= clientTokensRepo(this.db);
    return this.#clientTokens;
  }
  #sessions?: ReturnType<typeof sessionsRepo>;
  get sessions() {
    this.#sessions ??= sessionsRepo(this.db);
    return this.#sessions;
  }
  #loginHistory?: ReturnType<typeof loginHistoryRepo>;
  get loginHistory() {
    this.#loginHistory ??= loginHistoryRepo(this.db);
    return this.#loginHistory;
  }
  #authz?: ReturnType<typeof authz>;
  /** Namespaces, roles, groups, resources, grants and data policies (docs/authorization.md). */
  get authz() {
    this.#authz ??= authz(this.db);
    return this.#authz;
  }
  #oidc?: ReturnType<typeof oidcRepo>;
  get oidc() {
    this.#oidc ??= oidcRepo(this.db);
    return this.#oidc;
  }
  #loginCounters?: ReturnType<typeof loginCountersRepo>;
  get loginCounters() {
    this.#loginCounters ??= loginCountersRepo(this.db);
    return this.#loginCounters;
  }
}

export function repositories(db: Executor): Repositories {
  return new Repositories(db);
}
export type { Executor };
