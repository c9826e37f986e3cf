/**
 * Contracts between services built in parallel (codes, accounts/tokens, profile, management).
 * Each implementation lives in its own module and is wired into the Context in context.ts.
 */
import type { PoolSettings } from "@gatehouse/protocol";
import type { Transaction } from "kysely";
import type { Executor } from "../storage/repos/executor.js";
import type { Repositories } from "../storage/repos/index.js";
import type { Database } from "../storage/schema.js";

// ---------------------------------------------------------------- verification codes

export type CodeKind = "sms" | "email";

/** What a code is bound to: (pool, kind, channel, normalised target). */
export interface CodeTarget {
  poolId: string;
  kind: CodeKind;
  /** E.164 for sms, lower-cased for email. */
  target: string;
}

export interface SendCodeRequest extends CodeTarget {
  channel: string;
  settings: PoolSettings;
  clientIp?: string;
  /**
   * false: go through every limit and answer as if sent, but deliver nothing and store
   * nothing usable (no account enumeration on CHANNEL_RESET_PASSWORD for unknown targets).
   */
  deliver?: boolean;
}

/** A code that passed `check`; `consume` spends it. */
export interface CheckedCode {
  id: string;
}

/** A code to check: where it was sent, on which channels it counts, what the user typed. */
export interface CodeCheck {
  target: CodeTarget;
  channels: readonly string[];
  code: string;
}

export interface CodeService {
  /** Issue and deliver a new code; enforces cooldown (429/2080) and hourly caps (429). */
  send(req: SendCodeRequest): Promise<void>;
  /**
   * Check `code` against the live code for the target on any of `channels`, without consuming it.
   * Wrong → counts an attempt atomically, throws CODE_WRONG; expired/exhausted/none → CODE_EXPIRED.
   */
  check(
    target: CodeTarget,
    channels: readonly string[],
    code: string,
    settings: PoolSettings,
  ): Promise<CheckedCode>;
  /**
   * Consume every checked code atomically (all or nothing, `UPDATE … WHERE consumed_at IS NULL`);
   * throws CODE_EXPIRED when any was consumed meanwhile. Pass a transaction to tie it to a write.
   */
  consume(codes: readonly CheckedCode[], trx?: Executor): Promise<void>;
  /**
   * Check codes and run `work` with them spent, in one transaction: one commit for the whole
   * step. The codes are judged in order; the first wrong or missing one throws CODE_WRONG /
   * CODE_EXPIRED and only its attempt is committed (those before it were right, those after
   * it unchecked). A throw from `work` rolls everything back: no code spent, no attempt counted.
   * `work` runs inside the transaction: no hashing, no calls out (STYLE habit 12).
   */
  spendWith<T>(
    checks: readonly CodeCheck[],
    work: (repos: Repositories, trx: Transaction<Database>) => Promise<T>,
  ): Promise<T>;
  /** check + consume. */
  verifyAndConsume(
    target: CodeTarget,
    channels: readonly string[],
    code: string,
    settings: PoolSettings,
  ): Promise<void>;
}

// ---------------------------------------------------------------- passwords

export type PasswordEncryptType = "none" | "rsa" | "sm2" | undefined;

export interface PasswordService {
  /** argon2id (OWASP parameters). Never call inside a transaction. */
  hash(password: string): Promise<string>;
  /** argon2id or bcrypt; `needsRehash` when the stored hash is not current argon2id. */
  verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Verify against a dummy hash: same cost when the account does not exist. */
  verifyDummy(password: string): Promise<void>;
  /** Decrypt a `passwordEncryptType: "rsa"` value; throws PASSWORD_DECRYPT_FAILED. */
  decrypt(value: string, type: PasswordEncryptType): string;
  /** Throws WEAK_PASSWORD (400/2061) with a message describing the rule. */
  assertPolicy(password: string, settings: PoolSettings): void;
  /** GenAuth's 1/2/3 (behaviour-and-errors §2.7), stored when the password is set. */
  securityLevel(password: string): 1 | 2 | 3;
}

// ---------------------------------------------------------------- signed-in users

/** What `requireUser` puts on `request.user` after checking the access token. */
export interface AuthenticatedUser {
  userId: string;
  poolId: string;
  appId: string;
  sessionId: string;
  scope: string;
  accessTokenJti: string;
}

export interface SessionService {
  /** End every session of a user (optionally all but one); their tokens stop working at once. */
  endUserSessions(
    poolId: string,
    userId: string,
    options?: { exceptSessionId?: string; appIds?: string[] },
  ): Promise<void>;
}
