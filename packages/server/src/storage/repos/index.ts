import { applicationsRepo } from "./applications.js";
import { codesRepo } from "./codes.js";
import type { Executor } from "./executor.js";
import { identitiesRepo } from "./identities.js";
import { metaRepo } from "./meta.js";
import { poolsRepo } from "./pools.js";
import { rateBucketsRepo } from "./rate-buckets.js";
import { usersRepo } from "./users.js";

/** All repositories bound to one executor (the database or a transaction). */
export function repositories(db: Executor) {
  return {
    ...metaRepo(db),
    ...poolsRepo(db),
    ...applicationsRepo(db),
    ...usersRepo(db),
    ...identitiesRepo(db),
    ...codesRepo(db),
    ...rateBucketsRepo(db),
  };
}
export type Repositories = ReturnType<typeof repositories>;
export type { Executor };
