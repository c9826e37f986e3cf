import { type Migration, type MigrationProvider, Migrator } from "kysely";
import type { Db } from "./db.js";
import * as m0001 from "./migrations/0001-foundation.js";
import * as m0002 from "./migrations/0002-codes.js";
import * as m0003 from "./migrations/0003-auth.js";
import * as m0004 from "./migrations/0004-management.js";
import * as m0005 from "./migrations/0005-profile.js";
import * as m0008 from "./migrations/0008-address-proofs.js";
import { guardUserWrites, writingUsers } from "./sqlite/user-rows.js";

/**
 * Forward-only migrations, in order. Never edit a released one: add a file.
 * Listed explicitly (not read from disk) so the built server needs no file scanning.
 */
const migrations: Record<string, Migration> = {
  "0001-foundation": m0001,
  "0002-codes": m0002,
  "0003-auth": m0003,
  "0004-management": m0004,
  "0005-profile": m0005,
  "0008-address-proofs": m0008,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticProvider(),
    migrationTableName: "gh_migrations",
    migrationLockTableName: "gh_migrations_lock",
  });
  // A migration may rewrite user rows.
  const { error, results } = await writingUsers(db.kysely, () => migrator.migrateToLatest());
  if (error) throw error;
  if (db.sqlite && process.env.NODE_ENV === "test") guardUserWrites(db.kysely, db.sqlite);
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
