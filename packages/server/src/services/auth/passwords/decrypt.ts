import { constants, createHash, createHmac, createPrivateKey, privateDecrypt } from "node:crypto";
import { ApiError } from "../../../errors.js";

/**
 * `passwordEncryptType: "rsa"` (docs/behaviour-and-errors.md §4.3). Clients (GenAuth's Guard uses
 * jsencrypt) encrypt with the public key from GET /api/v3/system, PKCS#1 v1.5; OAEP is accepted too.
 *
 * Node ≥ 20.11 refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809, the Marvin
 * attack) unless OpenSSL offers implicit rejection, which OpenSSL 3.0 does not. So the padding is
 * removed here from a raw (RSA_NO_PADDING) decryption with implicit rejection: a block with bad
 * padding decrypts to a pseudo-random value derived from the ciphertext instead of an error, so
 * the server is no padding oracle (the password check then simply fails). OAEP is tried first:
 * it is CCA2-secure, so its failure reveals nothing useful, whereas a PKCS#1 v1.5 "failure" can
 * no longer be observed. Only input that is not an RSA ciphertext for our key at all (not base64,
 * wrong length, out of range) is reported as PASSWORD_DECRYPT_FAILED.
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
    let bytes = Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64");
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
      const message = unpadPkcs1v15(block);
      const synthetic = createHmac("sha256", rejectionKey).update(ciphertext).digest("base64url");
      return message === undefined ? synthetic : message.toString("utf8");
    },
  };
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
  bad |= separator === 0 ? 1 : 0;
  bad |= separator < 10 ? 1 : 0;
  return bad === 0 ? block.subarray(separator + 1) : undefined;
}
