import type { Config } from "../config.js";
import { secureDataDir, tightenedWarning } from "../storage/data-dir.js";
import { openDb } from "../storage/db.js";
import { migrateToLatest } from "../storage/migrate.js";
import { print, printErr } from "./io.js";

export async function migrateCommand(config: Config): Promise<void> {
  const fixed = secureDataDir(config.dataDir, config.databaseUrl);
  if (fixed.length > 0) printErr(`gatehouse: ${tightenedWarning(fixed)}\n`);
  const db = openDb(config.databaseUrl, {
    sqliteSynchronous: config.sqliteSynchronous,
    pgPreparedStatements: config.pgPreparedStatements,
  });
  try {
    const applied = await migrateToLatest(db);
    print(applied.length ? `applied: ${applied.join(", ")}\n` : "database is up to date\n");
  } finally {
    await db.close();
  }
}
