import { constants, createHash, createHmac, createPrivateKey, privateDecrypt } from "node:crypto";
import { ApiError } from "../../../errors.js";

/**
 * `passwordEncryptType: "rsa"` (docs/behaviour-and-errors.md §4.3). Clients (GenAuth's Guard uses
 * jsencrypt) encrypt with the public key from GET /api/v3/system, PKCS#1 v1.5; OAEP is accepted too.
 *
 * Node ≥ 20.11 refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809, the Marvin
 * attack) unless OpenSSL offers implicit rejection, which OpenSSL 3.0 does not. So the padding is
 * removed here from a raw (RSA_NO_PADDING) decryption with implicit rejection: a block with bad
 * padding decrypts to a synthetic message derived from the ciphertext and a key of the server
 * instead of an error, so the server is no padding oracle. OAEP is tried first: it is
 * CCA2-secure, so its failure reveals nothing useful, whereas a PKCS#1 v1.5 "failure" can no
 * longer be observed. Only input that is not an RSA ciphertext for our key at all (not base64,
 * wrong length, out of range) is reported as PASSWORD_DECRYPT_FAILED.
 *
 * The synthetic message must also be no oracle through what happens to the password next: the
 * policy looks at its length and characters (docs/behaviour-and-errors.md §4.3). So it is what a
 * ciphertext with good padding and content nobody chose decrypts to: random bytes after a random
 * padding, drawn deterministically from the ciphertext, and decoded like any other plaintext.
 */
export interface RsaDecryptor {
  /** The password inside a base64 ciphertext; throws PASSWORD_DECRYPT_FAILED for non-ciphertexts. */
  decrypt(value: string): string;
}

export function createRsaDecryptor({ privateKeyPem }: { privateKeyPem: string }): RsaDecryptor {
  const key = createPrivateKey(privateKeyPem);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  const size = Math.ceil(bits / 8);
  const rejectionKey = createHash("sha256")
    .update("gatehouse rsa implicit rejection\0")
    .update(key.export({ type: "pkcs8", format: "der" }))
    .digest();

  function parse(value: string): Buffer {
    const text = value.trim();
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new ApiError("PASSWORD_DECRYPT_FAILED");
    // Node's base64 decoder reads the base64url alphabet too.
    let bytes = Buffer.from(text, "base64");
    // jsencrypt sometimes drops leading zero bytes of the ciphertext.
    if (bytes.length < size && bytes.length >= size - 2) {
      bytes = Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);
    }
    if (bytes.length !== size) throw new ApiError("PASSWORD_DECRYPT_FAILED");
    return bytes;
  }

  return {
    decrypt(value) {
      const ciphertext = parse(value);
      try {
        return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING }, ciphertext).toString(
          "utf8",
        );
      } catch {
        // not OAEP: PKCS#1 v1.5 below
      }
      let block: Buffer;
      try {
        block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
      } catch {
        throw new ApiError("PASSWORD_DECRYPT_FAILED");
      }
      // Both are computed whatever the padding, so the work does not depend on it.
      const message = unpadPkcs1v15(block);
      const synthetic = syntheticMessage(rejectionKey, ciphertext, size);
      return (message ?? synthetic).toString("utf8");
    },
  };
}

/** How many conforming blocks are tried; each fails with probability < 0.4, all 64 in < 1e-25. */
const SYNTHETIC_TRIES = 64;

/**
 * The implicit-rejection message of a ciphertext: the key-derivation key of the "Implicit
 * Rejection for RSA PKCS#1 v1.5" draft (HMAC-SHA256 under a secret of the private key, over the
 * ciphertext) feeds a PRF whose output is read as the random part of a padded block, 0x00 ‖ 0x02
 * ‖ PRF bytes, until one such block conforms; its message is the synthetic one. Unlike the draft,
 * which draws the length uniformly (it was written for a fixed-length TLS secret), the length then
 * follows exactly the distribution of a conforming block with random content, since here the
 * plaintext meets checks that look at its length.
 */
export function syntheticMessage(rejectionKey: Buffer, ciphertext: Buffer, size: number): Buffer {
  const kdk = createHmac("sha256", rejectionKey).update(ciphertext).digest();
  for (let attempt = 0; attempt < SYNTHETIC_TRIES; attempt++) {
    const random = prf(kdk, `message ${attempt}`, size - 2);
    const block = Buffer.concat([Buffer.from([0x00, 0x02]), random]);
    const message = unpadPkcs1v15(block);
    if (message) return message;
  }
  return Buffer.alloc(0);
}

/** `length` bytes: HMAC-SHA256(kdk, counter ‖ label) blocks, concatenated (the draft's IRPRF shape). */
function prf(kdk: Buffer, label: string, length: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 32 < length; i++) {
    const counter = Buffer.alloc(2);
    counter.writeUInt16BE(i);
    out.push(createHmac("sha256", kdk).update(counter).update(label).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/**
 * EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero bytes) ‖ 0x00 ‖ M. Scans every byte whatever it finds, so
 * the work does not depend on where (or whether) the padding breaks.
 */
export function unpadPkcs1v15(block: Buffer): Buffer | undefined {
  let bad = block[0] | (block[1] ^ 0x02);
  let separator = 0;
  for (let i = 2; i < block.length; i++) {
    const isZero = block[i] === 0 ? 1 : 0;
    const first = isZero & (separator === 0 ? 1 : 0);
    separator = first ? i : separator;
  }
  // No separator (0) or fewer than 8 padding bytes before it.
  bad |= separator < 10 ? 1 : 0;
  return bad === 0 ? block.subarray(separator + 1) : undefined;
}
