import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Secrets the server must get back (private keys, application, pool and access-key secrets) are
 * stored sealed: AES-256-GCM under a key derived by HKDF-SHA256 from the master key, one key per
 * purpose, with the purpose and the row's id as additional authenticated data, so a sealed value
 * copied to another row or column does not open (docs/security.md §What is hashed and what is encrypted).
 *
 * Envelope: `v1:<iv>:<ciphertext and tag>`, both base64url. The version names the key derivation
 * and cipher, so a later rotation can tell old envelopes from new ones.
 */
export type SealPurpose =
  | "signing-key"
  | "server-rsa-key"
  | "app-secret"
  | "pool-secret"
  | "access-key-secret"
  | "key-check"
  | "totp-secret"
  | "mfa-enrolment"
  | "webhook-secret";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A value that is not a v1 envelope, or that does not open with this master key for this row. */
export class SealedValueError extends Error {}

export function isSealed(value: string): boolean {
  return value.startsWith(`${VERSION}:`);
}

export function createSecretBox(masterKey: string) {
  const keys = new Map<SealPurpose, Buffer>();
  const keyFor = (purpose: SealPurpose): Buffer => {
    let key = keys.get(purpose);
    if (!key) {
      key = Buffer.from(
        hkdfSync("sha256", masterKey, "", `gatehouse secrets at rest ${VERSION} ${purpose}`, 32),
      );
      keys.set(purpose, key);
    }
    return key;
  };
  const aad = (purpose: SealPurpose, rowId: string) => Buffer.from(`${purpose}\0${rowId}`, "utf8");

  return {
    seal(purpose: SealPurpose, rowId: string, plain: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", keyFor(purpose), iv);
      cipher.setAAD(aad(purpose, rowId));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}:${iv.toString("base64url")}:${body.toString("base64url")}`;
    },

    /** Throws SealedValueError for anything but an envelope sealed by this key for this row. */
    open(purpose: SealPurpose, rowId: string, sealed: string): string {
      const [version, iv64, body64, extra] = sealed.split(":");
      if (version !== VERSION || !iv64 || !body64 || extra !== undefined) {
        throw new SealedValueError(`${purpose} of ${rowId} is not sealed`);
      }
      const iv = Buffer.from(iv64, "base64url");
      const body = Buffer.from(body64, "base64url");
      if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
        throw new SealedValueError(`${purpose} of ${rowId} is not a valid envelope`);
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", keyFor(purpose), iv);
        decipher.setAAD(aad(purpose, rowId));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw new SealedValueError(`${purpose} of ${rowId} does not open with this master key`);
      }
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;
