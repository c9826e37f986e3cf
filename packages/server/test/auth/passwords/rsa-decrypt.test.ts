import assert from "node:assert/strict";
import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/errors.js";
import { unpadPkcs1v15 } from "../../../src/services/auth/passwords/decrypt.js";
import { createPasswords } from "../../../src/services/auth/passwords/hashing.js";

// What reaches the RSA decryptor from the wire, edge by edge (docs/behaviour-and-errors.md §4.3).
const { publicKey, privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const passwords = createPasswords({ rsaPrivateKeyPem: privateKey });
const decrypt = (value: string) => passwords.decrypt(value, "rsa");
const SIZE = 256;

function isDecryptFailed(err: unknown): boolean {
  assert.ok(err instanceof ApiError, String(err));
  assert.equal(err.key, "PASSWORD_DECRYPT_FAILED");
  assert.equal(err.statusCode, 400);
  return true;
}

/** A block below the modulus (its first bytes are zero) that is no valid padding: decrypts to noise. */
function zeroLedBlock(zeros: number): Buffer {
  const block = randomBytes(SIZE);
  block.fill(0, 0, zeros);
  return block;
}

describe("passwords: rsa ciphertexts as clients send them", () => {
  it("rsa: a ciphertext wrapped in whitespace or a trailing newline decrypts", () => {
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from("pw-1"));
    assert.equal(decrypt(` ${ct.toString("base64")}\n`), "pw-1");
  });

  it("rsa: a base64url ciphertext decrypts like its base64 twin", () => {
    for (let i = 0; i < 64; i++) {
      const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from("pw-2"));
      const url = ct.toString("base64url");
      if (!/[-_]/.test(url)) continue;
      assert.equal(decrypt(url), "pw-2");
      return;
    }
    assert.fail("no ciphertext with a base64url-only character in 64 tries");
  });

  it("rsa: characters outside base64 are PASSWORD_DECRYPT_FAILED, whatever the length", () => {
    assert.throws(() => decrypt(`${"A".repeat(340)}!!`), isDecryptFailed);
    assert.throws(() => decrypt("pass word"), isDecryptFailed);
    assert.throws(() => decrypt("pässword"), isDecryptFailed);
    // Node's base64 decoder skips what it cannot read: a valid ciphertext behind one stray character
    // would decode.
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from("pw-3"));
    assert.throws(() => decrypt(`!${ct.toString("base64")}`), isDecryptFailed);
    assert.throws(() => decrypt(`${ct.toString("base64")}!`), isDecryptFailed);
  });

  it("rsa: one or two leading zero bytes dropped by the client are restored", () => {
    for (const zeros of [1, 2]) {
      const block = zeroLedBlock(zeros);
      const full = decrypt(block.toString("base64"));
      assert.equal(decrypt(block.subarray(zeros).toString("base64")), full, `${zeros} dropped`);
    }
  });

  it("rsa: three bytes short, or longer than the key, is PASSWORD_DECRYPT_FAILED", () => {
    assert.throws(() => decrypt(zeroLedBlock(3).subarray(3).toString("base64")), isDecryptFailed);
    assert.throws(
      () => decrypt(Buffer.concat([Buffer.alloc(1), zeroLedBlock(2)]).toString("base64")),
      isDecryptFailed,
    );
  });
});

describe("passwords: PKCS#1 v1.5 unpadding edges", () => {
  const block = (separatorAt: number) => {
    const b = Buffer.alloc(SIZE, 7);
    b[0] = 0;
    b[1] = 2;
    b[separatorAt] = 0;
    return b;
  };

  it("rsa: eight padding bytes are enough, seven are not", () => {
    assert.deepEqual(unpadPkcs1v15(block(10)), Buffer.alloc(SIZE - 11, 7));
    assert.equal(unpadPkcs1v15(block(9)), undefined);
  });

  it("rsa: the message starts after the first zero byte; zero bytes inside it are kept", () => {
    const ct = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from("a\0b\0c"),
    );
    assert.equal(decrypt(ct.toString("base64")), "a\0b\0c");
  });

  it("rsa: a block without a separator, or not starting 0x00 0x02, has no message", () => {
    assert.equal(unpadPkcs1v15(Buffer.alloc(SIZE, 7).fill(0, 0, 1).fill(2, 1, 2)), undefined);
    const wrongFirst = block(20);
    wrongFirst[0] = 1;
    assert.equal(unpadPkcs1v15(wrongFirst), undefined);
    const wrongSecond = block(20);
    wrongSecond[1] = 1;
    assert.equal(unpadPkcs1v15(wrongSecond), undefined);
  });
});
