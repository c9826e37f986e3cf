import { type Migration, type MigrationProvider, Migrator } from "kysely";
import type { Db } from "./db.js";
import * as m0001 from "./migrations/0001-foundation.js";
import * as m0002 from "./migrations/0002-codes.js";
import * as m0003 from "./migrations/0003-auth.js";
import * as m0004 from "./migrations/0004-management.js";
import * as m0005 from "./migrations/0005-profile.js";
import { type IdentifierKeyCollision, identifierKeysMigration } from "./migrations/0006-identifier-keys.js";
import * as m0007 from "./migrations/0007-address-proofs.js";
import * as m0008 from "./migrations/0008-client-credentials.js";
import * as m0009 from "./migrations/0009-authz.js";
import * as m0010 from "./migrations/0010-flow-token-index.js";
import * as m0011 from "./migrations/0011-one-statement-writes.js";
import * as m0012 from "./migrations/0012-oidc.js";
import * as m0013 from "./migrations/0013-mfa.js";
import * as m0014 from "./migrations/0014-events.js";
import * as m0015 from "./migrations/0015-mfa-sign-in.js";
import * as m0016 from "./migrations/0016-app-access.js";
import * as m0017 from "./migrations/0017-mfa-signin.js";
import * as m0018 from "./migrations/0018-ext-idps.js";
import * as m0019 from "./migrations/0019-passkeys.js";
import * as m0020 from "./migrations/0020-default-namespace.js";
import * as m0021 from "./migrations/0021-passkey-prompt.js";
import * as m0022 from "./migrations/0022-session-amr.js";
import { guardUserWrites, writingUsers } from "./sqlite/user-rows.js";

/** What a migration reports that an operator must act on. */
export interface MigrationLog {
  /** A user whose username or email another user of the pool already holds (0006). */
  identifierKeyCollision(collision: IdentifierKeyCollision): void;
}

/** Without a logger: one JSON line on stderr each. */
const stderrLog: MigrationLog = {
  identifierKeyCollision: (c) =>
    process.stderr.write(`${JSON.stringify({ level: "warn", msg: "identifier key collision", ...c })}\n`),
};

/**
 * Forward-only migrations, in order. Never edit a released one: add a file.
 * Listed explicitly (not read from disk) so the built server needs no file scanning.
 */
function migrations(log: MigrationLog): Record<string, Migration> {
  return {
    "0001-foundation": m0001,
    "0002-codes": m0002,
    "0003-auth": m0003,
    "0004-management": m0004,
    "0005-profile": m0005,
    "0006-identifier-keys": identifierKeysMigration(log.identifierKeyCollision),
    "0007-address-proofs": m0007,
    "0008-client-credentials": m0008,
    "0009-authz": m0009,
    "0010-flow-token-index": m0010,
    "0011-one-statement-writes": m0011,
    "0012-oidc": m0012,
    "0013-mfa": m0013,
    "0014-events": m0014,
    "0015-mfa-sign-in": m0015,
    "0016-app-access": m0016,
    "0017-mfa-signin": m0017,
    "0018-ext-idps": m0018,
    "0019-passkeys": m0019,
    "0020-default-namespace": m0020,
    "0021-passkey-prompt": m0021,
    "0022-session-amr": m0022,
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly log: MigrationLog) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.log);
  }
}

export async function migrateToLatest(db: Db, log: MigrationLog = stderrLog): Promise<string[]> {
  return migrate(db, log, (migrator) => migrator.migrateToLatest());
}

/** Up to and including `name`: for tests that build a database of an older schema. */
export async function migrateTo(db: Db, name: string, log: MigrationLog = stderrLog): Promise<string[]> {
  return migrate(db, log, (migrator) => migrator.migrateTo(name));
}

async function migrate(
  db: Db,
  log: MigrationLog,
  run: (migrator: Migrator) => ReturnType<Migrator["migrateToLatest"]>,
): Promise<string[]> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticProvider(log),
    migrationTableName: "gh_migrations",
    migrationLockTableName: "gh_migrations_lock",
  });
  // A migration may rewrite user rows.
  const { error, results } = await writingUsers(db.kysely, () => run(migrator));
  if (error) throw error;
  if (db.sqlite && process.env.NODE_ENV === "test") guardUserWrites(db.kysely, db.sqlite);
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
