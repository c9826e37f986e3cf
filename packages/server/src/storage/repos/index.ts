import { applicationsRepo } from "./applications.js";
import type { Executor } from "./executor.js";
import { identitiesRepo } from "./identities.js";
import { metaRepo } from "./meta.js";
import { poolsRepo } from "./pools.js";
import { usersRepo } from "./users.js";

/** All repositories bound to one executor (the database or a transaction). */
export function repositories(db: Executor) {
  return {
    ...metaRepo(db),
    ...poolsRepo(db),
    ...applicationsRepo(db),
    ...usersRepo(db),
    ...identitiesRepo(db),
  };
}
export type Repositories = ReturnType<typeof repositories>;
export type { Executor };
