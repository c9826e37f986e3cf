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
  | "webhook-secret"
  | "ext-idp-secret"
  | "ext-idp-verifier";

const VERSION = "v1";
/**
 * Opened values kept in memory, by purpose, row and envelope: an application's secret is opened
 * on every token request and ID token signed with it, a webhook's on every delivery attempt
 * (AES-GCM set-up per open showed in the code flow's and the event worker's profiles). Never
 * stale: the key is the sealed envelope itself, and a changed secret is a new envelope (fresh IV),
 * so it misses. Only purposes read per request or per delivery are kept.
 */
const KEPT_OPEN = new Set<SealPurpose>(["app-secret", "webhook-secret"]);
const MAX_KEPT_OPEN = 1_000;
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
  const keptOpen = new Map<string, string>();

  function openSealed(purpose: SealPurpose, rowId: string, sealed: string): string {
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
  }

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
      if (!KEPT_OPEN.has(purpose)) return openSealed(purpose, rowId, sealed);
      const key = `${purpose}\0${rowId}\0${sealed}`;
      const kept = keptOpen.get(key);
      if (kept !== undefined) return kept;
      const plain = openSealed(purpose, rowId, sealed);
      if (keptOpen.size >= MAX_KEPT_OPEN) keptOpen.delete(keptOpen.keys().next().value as string);
      keptOpen.set(key, plain);
      return plain;
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;
