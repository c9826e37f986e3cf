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

/** All repositories bound to one executor (the database or a transaction). */
export function repositories(db: Executor) {
  return {
    ...metaRepo(db),
    ...poolsRepo(db),
    ...applicationsRepo(db),
    ...usersRepo(db),
    ...identitiesRepo(db),
    // management (issue 5)
    ...accessKeysRepo(db),
    ...signatureNoncesRepo(db),
    ...applicationAdminRepo(db),
    ...userAdminRepo(db),
    ...customFieldsRepo(db),
    ...poolMfaSettingsRepo(db),
    // user information (issue 4)
    ...userContactsRepo(db),
    ...flowTokensRepo(db),
    ...auditRepo(db),
    ...codesRepo(db),
    ...rateBucketsRepo(db),
    ...signingKeysRepo(db),
    ...sessionsRepo(db),
    ...loginHistoryRepo(db),
    ...loginCountersRepo(db),
    ...userLoginsRepo(db),
  };
}
export type Repositories = ReturnType<typeof repositories>;
export type { Executor };
