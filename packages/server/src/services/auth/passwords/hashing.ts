import { randomBytes } from "node:crypto";
import os from "node:os";
import type { PoolSettings } from "@gatehouse/protocol";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { ApiError, bilingual } from "../../../errors.js";
import { createRsaDecryptor } from "./decrypt.js";
import { assertPasswordPolicy, passwordSecurityLevel } from "./policy.js";

export type PasswordEncryptType = "none" | "rsa" | "sm2" | undefined;

export interface PasswordService {
  /** argon2id (OWASP parameters). Never call inside a transaction. */
  hash(password: string): Promise<string>;
  /** argon2id or bcrypt; `needsRehash` when the stored hash is not current argon2id. */
  verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Verify against a dummy hash: same cost when the account does not exist; never true. */
  verifyDummy(password: string): Promise<boolean>;
  /** Decrypt a `passwordEncryptType: "rsa"` value; throws PASSWORD_DECRYPT_FAILED. */
  decrypt(value: string, type: PasswordEncryptType): string;
  /** Hashes running or waiting for a slot now (tokens sign on the thread pool only while none: services/tokens/jwt.ts). */
  hashing(): number;
  /** Throws WEAK_PASSWORD (400/2061) with a message describing the rule. */
  assertPolicy(password: string, settings: PoolSettings): void;
  /** GenAuth's 1/2/3 (docs/behaviour-and-errors.md §2.7), stored when the password is set. */
  securityLevel(password: string): 1 | 2 | 3;
}

/** argon2id cost parameters: memory in KiB, passes, lanes. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
export const OWASP_ARGON2: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * At most this many argon2 computations at once. Each holds a libuv thread-pool thread and
 * 19 MiB for ~10 ms: more than one per core adds no throughput, only memory, and a pool full of
 * hashes makes every other thread-pool task (file and DNS work, async crypto) queue behind them.
 * One thread stays free.
 */
export function hashSlots(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(os.availableParallelism(), pool - 1));
}

/** A counting semaphore: `run(fn)` waits for a free slot. */
export function createSlots(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    /** Tasks holding a slot or waiting for one. */
    busy: () => size - free + waiting.length,
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await fn();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else free++;
      }
    },
  };
}

const isBcrypt = (hash: string) => /^\$2[abxy]?\$\d{2}\$/.test(hash);
const isArgon2 = (hash: string) => hash.startsWith("$argon2");

export interface PasswordsDeps {
  rsaPrivateKeyPem: string;
  /** The argon2 functions; tests pass counting wrappers to see the work a call does. */
  argon2?: { hash: typeof argon2Hash; verify: typeof argon2Verify };
  /**
   * The cost of new hashes (default OWASP_ARGON2; a stored hash of another cost is re-hashed at
   * the next sign-in). Not a setting: only tests lower it, to spend their CPU on what they test.
   */
  argon2Params?: Argon2Params;
}

/** Password hashing, RSA decryption and the pool's password policy; wired once as `ctx.passwords`. */
export function createPasswords({
  rsaPrivateKeyPem,
  argon2 = { hash: argon2Hash, verify: argon2Verify },
  argon2Params = OWASP_ARGON2,
}: PasswordsDeps): PasswordService {
  // algorithm 2: Argon2id (a const enum, unusable under verbatimModuleSyntax).
  const params = { algorithm: 2, ...argon2Params };
  const currentParams = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  const rsa = createRsaDecryptor({ privateKeyPem: rsaPrivateKeyPem });
  const slots = createSlots(hashSlots());
  let dummy: Promise<string> | undefined;

  const hash = (password: string): Promise<string> => slots.run(() => argon2.hash(password, params as never));

  async function verifyDummy(password: string): Promise<boolean> {
    dummy ??= hash(randomBytes(16).toString("hex"));
    const stored = await dummy;
    await slots.run(() => argon2.verify(stored, password)).catch(() => false);
    return false;
  }

  return {
    hash,
    verifyDummy,
    hashing: () => slots.busy(),
    async verify(stored, password) {
      if (isArgon2(stored)) {
        const ok = await slots.run(() => argon2.verify(stored, password)).catch(() => false);
        return { ok, needsRehash: ok && !stored.startsWith(currentParams) };
      }
      if (isBcrypt(stored)) {
        const ok = await bcrypt.compare(password, stored).catch(() => false);
        return { ok, needsRehash: ok };
      }
      // Unknown format: spend the same time, never match.
      await verifyDummy(password);
      return { ok: false, needsRehash: false };
    },
    decrypt(value, type) {
      if (type === undefined || type === "none") return value;
      if (type === "rsa") return rsa.decrypt(value);
      throw new ApiError("PASSWORD_DECRYPT_FAILED", {
        texts: bilingual(
          `服务器不支持 passwordEncryptType "${type}"，请使用 "rsa" 或 "none"`,
          `passwordEncryptType "${type}" is not supported by this server; use "rsa" or "none"`,
        ),
      });
    },
    assertPolicy: assertPasswordPolicy,
    securityLevel: passwordSecurityLevel,
  };
}

/** What callers hold: `ctx.passwords`. */
export type Passwords = PasswordService;
