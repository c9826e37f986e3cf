import fs from "node:fs";
import path from "node:path";

/**
 * The data dir holds the SQLite database, the master key file and bootstrap.json: readable by
 * the server's own user only (docs/security.md §Files on disk).
 */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * From here on every file and directory this process creates is its owner's only — SQLite's
 * -wal and -shm files included, which SQLite creates itself with the process's umask.
 */
export function restrictNewFileModes(): void {
  process.umask(0o077);
}

function tighten(file: string, mode: number, fixed: string[]): void {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!st || st.isSymbolicLink() || (st.mode & 0o777 & ~mode) === 0) return;
  fs.chmodSync(file, mode);
  fixed.push(file);
}

function sqliteFile(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith("sqlite:")) return undefined;
  const file = databaseUrl.slice("sqlite:".length);
  return file === ":memory:" ? undefined : path.resolve(file);
}

/**
 * Creates the data dir (0700) if missing, and tightens what an older version left readable to
 * others: the dir to 0700, the files in it to 0600, and the SQLite files wherever the database
 * lives. Returns the paths it changed, for one warning.
 */
export function secureDataDir(dataDir: string, databaseUrl: string): string[] {
  const fixed: string[] = [];
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  tighten(dir, DIR_MODE, fixed);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) tighten(file, DIR_MODE, fixed);
    else if (entry.isFile()) tighten(file, FILE_MODE, fixed);
  }
  const db = sqliteFile(databaseUrl);
  if (db && path.dirname(db) !== dir) {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) tighten(`${db}${suffix}`, FILE_MODE, fixed);
  }
  return fixed;
}

/** The one warning about what `secureDataDir` changed. */
export function tightenedWarning(fixed: readonly string[]): string {
  return `tightened permissions readable by other users: ${fixed.join(", ")} (data dir 0700, files 0600; see docs/security.md)`;
}
