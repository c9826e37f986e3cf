import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../../config.js";
import type { Repositories } from "../../storage/repos/index.js";
import { createSecretBox, SealedValueError, type SecretBox } from "./secret-box.js";

/** The file that holds the master key when GATEHOUSE_SECRET is not set, beside the database (not in it). */
export const MASTER_KEY_FILE = "master.key";

/** Where the master key came from: named in errors so the operator knows what to fix. */
export type MasterKeySource = { kind: "env" } | { kind: "file"; file: string };

export interface MasterKey {
  /** Keys the HMACs of codes and one-time tokens, and derives the sealing keys. */
  secret: string;
  box: SecretBox;
  source: MasterKeySource;
}

/** Before the key file existed, the generated server secret was stored in the database under this key. */
const LEGACY_SECRET_META = "server_secret";
/** A value sealed at first start: opening it proves the master key is the one the database was sealed with. */
const KEY_CHECK_META = "secrets_key_check";
const KEY_CHECK_PLAIN = "gatehouse";

/**
 * Reads the key file, or creates it (0600) holding `candidate`. `wx` makes a concurrent first
 * start of a second process on the same data dir read the winner's key instead of overwriting it.
 */
function readOrCreateKeyFile(file: string, candidate: () => string): { key: string; created: boolean } {
  try {
    return { key: fs.readFileSync(file, "utf8").trim(), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let created = true;
  try {
    fs.writeFileSync(file, `${candidate()}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    created = false;
  }
  return { key: fs.readFileSync(file, "utf8").trim(), created };
}

function mismatch(source: MasterKeySource, created: boolean): ConfigError {
  if (source.kind === "file" && created) {
    // A node that shares a database with another must share its key: ours was only just made, so drop it.
    fs.rmSync(source.file, { force: true });
    return new ConfigError(
      `this database's secrets are sealed with a master key this node does not have: set GATEHOUSE_SECRET, or copy ${MASTER_KEY_FILE} from the node that created it into the data dir (see docs/security.md)`,
    );
  }
  const what = source.kind === "env" ? "GATEHOUSE_SECRET" : `the master key in ${source.file}`;
  return new ConfigError(
    `${what} is not the key this database's secrets were sealed with; start with the original key (see docs/security.md)`,
  );
}

/**
 * The master key: GATEHOUSE_SECRET when set, else the key file in the data dir, created at first
 * start — from the server secret an older version kept in the database, so hashes already stored
 * stay valid; that row is then removed. Refuses to start with a key other than the one the
 * database was sealed with (docs/security.md §The master key).
 */
export async function loadMasterKey(
  repos: Repositories,
  options: { configuredSecret?: string; dataDir: string },
): Promise<MasterKey> {
  const legacy = await repos.meta.getMeta(LEGACY_SECRET_META);
  let secret: string;
  let source: MasterKeySource;
  let created = false;
  if (options.configuredSecret !== undefined) {
    secret = options.configuredSecret;
    source = { kind: "env" };
  } else {
    const file = path.resolve(options.dataDir, MASTER_KEY_FILE);
    ({ key: secret, created } = readOrCreateKeyFile(file, () => legacy ?? randomBytes(32).toString("hex")));
    source = { kind: "file", file };
    if (secret.length < 32) throw new ConfigError(`${file} must hold a key of at least 32 characters`);
  }
  const box = createSecretBox(secret);
  const check = await repos.meta.getOrInsertMeta(
    KEY_CHECK_META,
    box.seal("key-check", KEY_CHECK_META, KEY_CHECK_PLAIN),
  );
  try {
    if (box.open("key-check", KEY_CHECK_META, check) !== KEY_CHECK_PLAIN) throw mismatch(source, created);
  } catch (err) {
    if (err instanceof SealedValueError) throw mismatch(source, created);
    throw err;
  }
  return { secret, box, source };
}

/** Once the secrets are sealed under the master key, the database no longer holds the old server secret. */
export async function dropLegacySecret(repos: Repositories): Promise<void> {
  await repos.meta.deleteMeta(LEGACY_SECRET_META);
}
