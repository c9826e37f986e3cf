import assert from "node:assert/strict";
import { constants, generateKeyPairSync, publicEncrypt } from "node:crypto";
import { describe, it } from "node:test";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { ApiError } from "../../../src/errors.js";
import { unpadPkcs1v15 } from "../../../src/services/auth/passwords/decrypt.js";
import { createPasswords } from "../../../src/services/auth/passwords/hashing.js";
import { defaultPoolSettings, mergePoolSettings } from "../../../src/services/users/pool-settings.js";

const { publicKey, privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const passwords = createPasswords({ rsaPrivateKeyPem: privateKey });
const settings = (patch: Record<string, unknown>) => mergePoolSettings(defaultPoolSettings(), patch);

function rejectsWith(key: string, fn: () => unknown, message?: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.key, key);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe("passwords: hashing", () => {
  it("hashes with argon2id at the OWASP parameters (m=19456, t=2, p=1)", async () => {
    const hash = await passwords.hash("s3cret!");
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.deepEqual(await passwords.verify(hash, "s3cret!"), { ok: true, needsRehash: false });
    assert.deepEqual(await passwords.verify(hash, "s3cret?"), { ok: false, needsRehash: false });
  });

  it("verifies imported bcrypt hashes and asks for a re-hash to argon2id", async () => {
    const hash = bcrypt.hashSync("imported-pw", 4);
    assert.deepEqual(await passwords.verify(hash, "imported-pw"), { ok: true, needsRehash: true });
    assert.deepEqual(await passwords.verify(hash, "wrong"), { ok: false, needsRehash: false });
  });

  it("an argon2 hash with weaker parameters verifies and needs a re-hash", async () => {
    const { hash } = await import("@node-rs/argon2");
    const weak = await hash("pw", { memoryCost: 4096, timeCost: 1, parallelism: 1, algorithm: 2 as never });
    assert.deepEqual(await passwords.verify(weak, "pw"), { ok: true, needsRehash: true });
  });

  it("an unknown hash format never matches", async () => {
    assert.deepEqual(await passwords.verify("plaintext-pw", "plaintext-pw"), {
      ok: false,
      needsRehash: false,
    });
  });

  it("verifyDummy never matches and does a real verify's work: one argon2id verify at the current parameters", async () => {
    const verified: string[] = [];
    const counted = createPasswords({
      rsaPrivateKeyPem: privateKey,
      argon2: {
        hash: argon2Hash,
        verify: (stored, password) => {
          verified.push(Buffer.from(stored).toString());
          return argon2Verify(stored, password);
        },
      },
    });
    const real = await counted.hash("real-pw-1");
    assert.deepEqual(await counted.verify(real, "a-guess"), { ok: false, needsRehash: false });
    assert.equal(verified.length, 1);
    assert.equal(await counted.verifyDummy("a-guess"), false);
    assert.equal(await counted.verifyDummy(""), false);
    assert.equal(verified.length, 3, "one argon2 verify per call, like a real account");
    // Same algorithm and cost parameters as a stored password: `$argon2id$v=19$m=…,t=…,p=…$`.
    const params = (h: string) => h.split("$").slice(0, 4).join("$");
    assert.equal(params(verified[1]!), params(real));
    assert.equal(params(verified[2]!), params(real));
  });
});

describe("passwords: passwordEncryptType rsa", () => {
  it("decrypts PKCS#1 v1.5 ciphertexts made with the public key from /api/v3/system", () => {
    const ct = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from("pässword-1"),
    );
    assert.equal(passwords.decrypt(ct.toString("base64"), "rsa"), "pässword-1");
  });

  it("decrypts OAEP ciphertexts too", () => {
    const ct = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
      Buffer.from("oaep-pw"),
    );
    assert.equal(passwords.decrypt(ct.toString("base64"), "rsa"), "oaep-pw");
  });

  it("a value that is not an RSA ciphertext is PASSWORD_DECRYPT_FAILED (400)", () => {
    rejectsWith("PASSWORD_DECRYPT_FAILED", () => passwords.decrypt("plain-password", "rsa"));
    rejectsWith("PASSWORD_DECRYPT_FAILED", () =>
      passwords.decrypt(Buffer.alloc(100).toString("base64"), "rsa"),
    );
  });

  it("a tampered ciphertext decrypts to noise, not to an error (no padding oracle)", () => {
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from("x"));
    ct[ct.length - 1] ^= 1; // still below the modulus, but the padding no longer checks out
    const value = passwords.decrypt(ct.toString("base64"), "rsa");
    assert.notEqual(value, "x");
    assert.equal(passwords.decrypt(ct.toString("base64"), "rsa"), value, "deterministic");
  });

  it("none and absent leave the value alone; sm2 is refused with a clear message", () => {
    assert.equal(passwords.decrypt("pw", "none"), "pw");
    assert.equal(passwords.decrypt("pw", undefined), "pw");
    rejectsWith("PASSWORD_DECRYPT_FAILED", () => passwords.decrypt("pw", "sm2"), /sm2/);
  });

  it("PKCS#1 v1.5 unpadding rejects blocks with a short padding string", () => {
    const block = Buffer.alloc(256, 1);
    block[0] = 0;
    block[1] = 2;
    block[5] = 0; // separator after only 3 padding bytes
    assert.equal(unpadPkcs1v15(block), undefined);
    block[5] = 1;
    block[20] = 0;
    assert.deepEqual(unpadPkcs1v15(block), Buffer.alloc(235, 1));
  });
});

describe("passwords: pool policy (docs/behaviour-and-errors.md §4.1)", () => {
  it("level 0 accepts any non-empty password", () => {
    passwords.assertPolicy("a", settings({}));
    rejectsWith("WEAK_PASSWORD", () => passwords.assertPolicy("", settings({})));
  });

  it("level 1 needs at least 6 characters", () => {
    const s = settings({ passwordStrength: 1 });
    rejectsWith("WEAK_PASSWORD", () => passwords.assertPolicy("abc12", s), /at least 6 characters/);
    passwords.assertPolicy("abcdef", s);
  });

  it("level 2 needs two of letters, digits, symbols", () => {
    const s = settings({ passwordStrength: 2 });
    rejectsWith(
      "WEAK_PASSWORD",
      () => passwords.assertPolicy("abcdefgh", s),
      /two of: letters, digits, symbols/,
    );
    passwords.assertPolicy("abcdef1", s);
    passwords.assertPolicy("abcdef!", s);
  });

  it("level 3 needs letters, digits and symbols", () => {
    const s = settings({ passwordStrength: 3 });
    rejectsWith("WEAK_PASSWORD", () => passwords.assertPolicy("abcdef12", s), /letters, digits and symbols/);
    passwords.assertPolicy("abc12#x", s);
  });

  it("level 4 applies the pool's regex with the pool's message", () => {
    const s = settings({
      passwordStrength: 4,
      customPasswordStrength: { regex: "^\\d{8}$", message: "eight digits" },
    });
    rejectsWith("WEAK_PASSWORD", () => passwords.assertPolicy("1234567", s), /^eight digits$/);
    passwords.assertPolicy("12345678", s);
  });

  it("level 4 with a broken regex fails closed", () => {
    const s = settings({ passwordStrength: 4, customPasswordStrength: { regex: "([", message: "" } });
    rejectsWith("WEAK_PASSWORD", () => passwords.assertPolicy("anything", s), /invalid/);
  });

  it("a minimum zxcvbn score rejects guessable passwords and names the score", () => {
    const s = settings({ passwordMinZxcvbnScore: 3 });
    rejectsWith(
      "WEAK_PASSWORD",
      () => passwords.assertPolicy("password1", s),
      /strength score \d of 4, at least 3/,
    );
    passwords.assertPolicy("correct-horse-battery-staple-92", s);
  });
});

describe("passwords: securityLevel (docs/behaviour-and-errors.md §2.7)", () => {
  it("3 for ≥ 12 characters with lower, upper and digit; 2 for ≥ 8 with letter and digit; else 1", () => {
    assert.equal(passwords.securityLevel("Abcdefghijk1"), 3);
    assert.equal(passwords.securityLevel("abcdefghijk1"), 2);
    assert.equal(passwords.securityLevel("abcdefg1"), 2);
    assert.equal(passwords.securityLevel("abcdefgh"), 1);
    assert.equal(passwords.securityLevel("Ab1"), 1);
  });
});
