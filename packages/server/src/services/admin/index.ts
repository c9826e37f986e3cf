import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import type { Dialect } from "../../storage/db.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";
import type { LoginGuard } from "../auth/lockout.js";
import type { Passwords } from "../auth/passwords/hashing.js";
import type { Emit } from "../events/emit.js";
import { otpImporter } from "../mfa/imported.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { createKeyRotation } from "../tokens/key-rotation.js";
import type { Sessions } from "../tokens/sessions.js";
import type { SigningKeys } from "../tokens/signing-keys.js";
import { createAccessKeys } from "./access-keys.js";
import { createAppAdmin } from "./apps.js";
import { createCustomFields } from "./custom-fields.js";
import { createHealth } from "./health.js";
import { createManagementTokens } from "./management-token.js";
import { createPoolSettingsAdmin } from "./pool-settings.js";
import { createPoolAdmin } from "./pools.js";
import { createUserActivity } from "./users/activity.js";
import { createUserAdmin } from "./users/create.js";
import { createUserImport } from "./users/import.js";
import { createUserSearch } from "./users/search.js";
import { createUserUpdate } from "./users/update.js";

export interface AdminDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  repos: Repositories;
  clock: Clock;
  passwords: Passwords;
  sessions: Pick<Sessions, "endUserSessions" | "endedElsewhere">;
  loginGuard: Pick<LoginGuard, "unlockUser">;
  signingKeys: Pick<SigningKeys, "rotate">;
  /** The server secret management tokens are keyed from. */
  serverSecret: string;
  /** Seals and opens the pool, application and access-key secrets. */
  box: SecretBox;
  publicUrl: string;
  /** Writes each change's event in its transaction (services/events). */
  emit: Emit;
  /** `iss` of management tokens, the same issuer as every other token. */
  issuer: string;
}

/**
 * The services of the management API and the `gatehouse` admin commands, built once by
 * createContext; each factory gets only the dependencies it uses (docs/architecture.md).
 */
export function createAdmin(deps: AdminDeps) {
  const { db, dialect, repos, clock, passwords, sessions, loginGuard, signingKeys, box, emit } = deps;
  const accessKeys = createAccessKeys({ repos, clock, box });
  return {
    users: {
      ...createUserAdmin({
        db,
        repos,
        passwords,
        sessions,
        clock,
        publicUrl: deps.publicUrl,
        importOtp: otpImporter({ box, secret: deps.serverSecret, clock }),
        emit,
      }),
      ...createUserSearch({ repos, publicUrl: deps.publicUrl }),
      ...createUserUpdate({ repos, passwords, sessions, clock, publicUrl: deps.publicUrl, emit }),
      ...createUserActivity({ repos, sessions, loginGuard, clock, emit }),
      ...createUserImport({ db, dialect, repos, passwords, clock, emit }),
    },
    apps: createAppAdmin({ repos, clock, box, emit }),
    pools: createPoolAdmin({ db, repos, clock, box, publicUrl: deps.publicUrl, emit }),
    poolSettings: createPoolSettingsAdmin({ repos, clock, emit }),
    customFields: createCustomFields({ repos, clock }),
    accessKeys,
    managementTokens: createManagementTokens({
      accessKeys,
      clock,
      serverSecret: deps.serverSecret,
      issuer: deps.issuer,
    }),
    signingKeys: createKeyRotation({ repos, signingKeys, clock }),
    health: createHealth({ db }),
  };
}
export type Admin = ReturnType<typeof createAdmin>;
