import { randomBytes } from "node:crypto";
import type { PoolSettings } from "@gatehouse/protocol";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { ApiError } from "../http/api-error.js";
import { RsaPasswordDecryptor } from "./password-decrypt.js";
import { assertPasswordPolicy, passwordSecurityLevel } from "./password-policy.js";
import type { PasswordEncryptType, PasswordService } from "./ports.js";

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
const ARGON2 = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, unusable under verbatimModuleSyntax)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;
const CURRENT_PARAMS = `$argon2id$v=19$m=${ARGON2.memoryCost},t=${ARGON2.timeCost},p=${ARGON2.parallelism}$`;

const isBcrypt = (hash: string) => /^\$2[abxy]?\$\d{2}\$/.test(hash);
const isArgon2 = (hash: string) => hash.startsWith("$argon2");

/** Implements PasswordService (ports.ts); wired as `ctx.passwords`. */
export class Passwords implements PasswordService {
  private readonly rsa: RsaPasswordDecryptor;
  private dummy?: Promise<string>;

  constructor(rsaPrivateKeyPem: string) {
    this.rsa = new RsaPasswordDecryptor(rsaPrivateKeyPem);
  }

  hash(password: string): Promise<string> {
    return argon2Hash(password, ARGON2 as never);
  }

  async verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }> {
    if (isArgon2(hash)) {
      const ok = await argon2Verify(hash, password).catch(() => false);
      return { ok, needsRehash: ok && !hash.startsWith(CURRENT_PARAMS) };
    }
    if (isBcrypt(hash)) {
      const ok = await bcrypt.compare(password, hash).catch(() => false);
      return { ok, needsRehash: ok };
    }
    // Unknown format: spend the same time, never match.
    await this.verifyDummy(password);
    return { ok: false, needsRehash: false };
  }

  async verifyDummy(password: string): Promise<void> {
    this.dummy ??= this.hash(randomBytes(16).toString("hex"));
    await argon2Verify(await this.dummy, password).catch(() => false);
  }

  decrypt(value: string, type: PasswordEncryptType): string {
    if (type === undefined || type === "none") return value;
    if (type === "rsa") return this.rsa.decrypt(value);
    throw new ApiError("PASSWORD_DECRYPT_FAILED", {
      message: `passwordEncryptType "${type}" is not supported by this server; use "rsa" or "none"`,
    });
  }

  assertPolicy(password: string, settings: PoolSettings): void {
    assertPasswordPolicy(password, settings);
  }

  securityLevel(password: string): 1 | 2 | 3 {
    return passwordSecurityLevel(password);
  }
}
