import pino, { type Logger } from "pino";
import type { Config } from "./config.js";
import { ApiError } from "./http/api-error.js";
import { type Clock, systemClock } from "./services/clock.js";
import { dbLoginCounterStore, LoginGuard } from "./services/login-guard.js";
import { Passwords } from "./services/passwords.js";
import type { CodeService } from "./services/ports.js";
import { loadServerKeys, type ServerKeys } from "./services/server-keys.js";
import { Sessions } from "./services/sessions.js";
import { SigningKeys } from "./services/signing-keys.js";
import { Tokens } from "./services/tokens.js";
import { type Db, openDb } from "./storage/db.js";
import { migrateToLatest } from "./storage/migrate.js";
import { type Repositories, repositories } from "./storage/repos/index.js";

export interface Context {
  config: Config;
  db: Db;
  repos: Repositories;
  keys: ServerKeys;
  clock: Clock;
  logger: Logger;
  passwords: Passwords;
  signingKeys: SigningKeys;
  sessions: Sessions;
  tokens: Tokens;
  loginGuard: LoginGuard;
  codes: CodeService;
  close(): Promise<void>;
}

/** Stand-in until the code engine (feat/codes) is wired: every passcode path answers 501. */
const codesUnavailable: CodeService = {
  send: async () => {
    throw new ApiError("NOT_IMPLEMENTED", { message: "verification codes are not available yet" });
  },
  check: async () => {
    throw new ApiError("NOT_IMPLEMENTED", { message: "verification codes are not available yet" });
  },
  consume: async () => {
    throw new ApiError("NOT_IMPLEMENTED", { message: "verification codes are not available yet" });
  },
  verifyAndConsume: async () => {
    throw new ApiError("NOT_IMPLEMENTED", { message: "verification codes are not available yet" });
  },
};

export interface ContextOptions {
  clock?: Clock;
  logger?: Logger;
  /** Run migrations while building (default true). */
  migrate?: boolean;
  /** How long this node trusts a cached session state (default 900 ms; see services/sessions.ts). */
  sessionCacheTtlMs?: number;
}

/** Paths and header values that must never reach a log line. */
export const logRedactPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-authing-signature-nonce']",
  "res.headers['set-cookie']",
];

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact: { paths: logRedactPaths, censor: "[redacted]" } });
}

/** Wires everything once (STYLE habit 5). Tests build their own with a memory outbox and a fake clock. */
export async function createContext(config: Config, options: ContextOptions = {}): Promise<Context> {
  const db = openDb(config.databaseUrl);
  try {
    if (options.migrate !== false) await migrateToLatest(db);
    const repos = repositories(db.kysely);
    const keys = await loadServerKeys(repos, config.secret);
    const clock = options.clock ?? systemClock;
    const signingKeys = new SigningKeys(db.kysely, clock);
    await signingKeys.init();
    const sessions = new Sessions(repos, clock, { cacheTtlMs: options.sessionCacheTtlMs });
    return {
      config,
      db,
      repos,
      keys,
      clock,
      logger: options.logger ?? createLogger(config),
      passwords: new Passwords(keys.rsaPrivateKeyPem),
      signingKeys,
      sessions,
      tokens: new Tokens(db.kysely, repos, signingKeys, sessions, clock, keys.secret, config.publicUrl),
      loginGuard: new LoginGuard(dbLoginCounterStore(repos), clock),
      codes: codesUnavailable,
      close: () => db.close(),
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
