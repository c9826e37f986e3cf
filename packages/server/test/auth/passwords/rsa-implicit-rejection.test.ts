import assert from "node:assert/strict";
import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/errors.js";
import { createPasswords } from "../../../src/services/auth/passwords/hashing.js";
import { defaultPoolSettings, mergePoolSettings } from "../../../src/services/users/pool-settings.js";

/**
 * PKCS#1 v1.5 implicit rejection (docs/behaviour-and-errors.md §4.3): a ciphertext whose padding
 * is wrong decrypts to a synthetic message that the password policy cannot tell apart from what a
 * ciphertext with right padding and content nobody chose decrypts to. Otherwise the policy's
 * answer would say which ciphertexts have valid padding: a Bleichenbacher (Marvin) oracle.
 */
const { publicKey, privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const passwords = createPasswords({ rsaPrivateKeyPem: privateKey });
const K = 256;
const N = 200;

const rawEncrypt = (block: Buffer) =>
  publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, block).toString("base64");

/** A tampered ciphertext: a random value below the modulus, whose padding almost never checks out. */
function tampered(): string {
  const c = randomBytes(K);
  c[0]! &= 0x7f;
  return c.toString("base64");
}

/**
 * What an attacker's ciphertext decrypts to when its padding happens to check out: a uniformly
 * random PKCS#1 v1.5 block (00 02, at least 8 non-zero bytes, 00, the rest).
 */
function conforming(): string {
  for (;;) {
    const block = randomBytes(K);
    block[0] = 0;
    block[1] = 2;
    if (block.indexOf(0, 2) >= 10) return rawEncrypt(block);
  }
}

function answer(password: string, patch: Record<string, unknown>): string {
  try {
    passwords.assertPolicy(password, mergePoolSettings(defaultPoolSettings(), patch));
    return "accepted";
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return `${err.statusCode}/${err.apiCode}: ${err.message}`;
  }
}

function shares(answers: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of answers) m.set(a, (m.get(a) ?? 0) + 1 / answers.length);
  return m;
}

const POLICIES: Record<string, Record<string, unknown>> = {
  "level 1": { passwordStrength: 1 },
  "level 2": { passwordStrength: 2 },
  "level 3": { passwordStrength: 3 },
  "level 4, printable ASCII only": {
    passwordStrength: 4,
    customPasswordStrength: { regex: "^[\\x21-\\x7e]+$", message: "printable ASCII only" },
  },
  "level 4, at most 120 characters": {
    passwordStrength: 4,
    customPasswordStrength: { regex: "^[\\s\\S]{1,120}$", message: "at most 120" },
  },
};

describe("passwords: RSA implicit rejection is no oracle through the policy", () => {
  const bad = Array.from({ length: N }, () => passwords.decrypt(tampered(), "rsa"));
  const good = Array.from({ length: N }, () => passwords.decrypt(conforming(), "rsa"));

  for (const [name, policy] of Object.entries(POLICIES)) {
    it(`${name}: tampered ciphertexts get the answers conforming ones get, in the same shares`, () => {
      const a = shares(bad.map((p) => answer(p, policy)));
      const b = shares(good.map((p) => answer(p, policy)));
      // Each share of 200 has a standard deviation of at most 0.035; 0.15 is over four of them.
      for (const key of new Set([...a.keys(), ...b.keys()])) {
        const diff = Math.abs((a.get(key) ?? 0) - (b.get(key) ?? 0));
        assert.ok(diff < 0.15, `${key}: ${(a.get(key) ?? 0).toFixed(2)} vs ${(b.get(key) ?? 0).toFixed(2)}`);
      }
    });
  }

  it("synthetic messages have lengths spread like real ones, not one fixed length", () => {
    const lengths = (xs: string[]) => xs.map((p) => Buffer.byteLength(p)).sort((x, y) => x - y);
    const [lb, lg] = [lengths(bad), lengths(good)];
    assert.ok(new Set(lb).size > N / 4, "many different lengths");
    for (const q of [0.1, 0.5, 0.9]) {
      const i = Math.floor(q * N);
      assert.ok(Math.abs(lb[i]! - lg[i]!) < 60, `quantile ${q}: ${lb[i]} vs ${lg[i]}`);
    }
  });

  it("a tampered ciphertext decrypts to the same synthetic message every time", () => {
    const c = tampered();
    assert.equal(passwords.decrypt(c, "rsa"), passwords.decrypt(c, "rsa"));
  });

  it("a valid ciphertext of a weak password answers the policy's rule, like the same password sent plain", () => {
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from("abc"));
    const policy = { passwordStrength: 1 };
    assert.equal(answer(passwords.decrypt(ct.toString("base64"), "rsa"), policy), answer("abc", policy));
  });
});
