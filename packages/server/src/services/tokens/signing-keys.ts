import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import { repositories } from "../../storage/repos/index.js";
import type { SigningKeyRow } from "../../storage/repos/signing-keys.js";
import type { Database } from "../../storage/schema.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { decodeJwt, type JwtCheck, verifyJwt } from "./jwt.js";
import { type GenerateRsaKeyPair, generateRsaKeyPair } from "./rsa-key-pair.js";

/** How stale a node's key set may get before it reloads (see `refreshSoon`). */
export const KEY_RELOAD_INTERVAL_MS = 60_000;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JsonWebKey;
}

/** The private key is stored sealed, with its kid as the row id (docs/security.md §What is hashed and what is encrypted). */
async function newSigningKeyRow(
  box: SecretBox,
  now: number,
  generate: GenerateRsaKeyPair,
): Promise<SigningKeyRow> {
  const { publicKey, privateKey } = await generate();
  const kid = newId();
  const jwk = { ...createPublicKey(publicKey).export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  return {
    kid,
    alg: "RS256",
    public_jwk: JSON.stringify(jwk),
    private_pem: box.seal("signing-key", kid, privateKey),
    status: "current",
    created_at: now,
    updated_at: now,
  };
}

function toKey(box: SecretBox, row: SigningKeyRow): SigningKey {
  const privateKey = createPrivateKey(box.open("signing-key", row.kid, row.private_pem));
  return {
    kid: row.kid,
    privateKey,
    publicKey: createPublicKey(privateKey),
    jwk: JSON.parse(row.public_jwk),
  };
}

export interface SigningKeysDeps {
  db: Kysely<Database>;
  clock: Clock;
  box: SecretBox;
  /** Makes each new key (default: a random RSA-2048 pair). */
  generateRsaKeyPair?: GenerateRsaKeyPair;
}

/**
 * RS256 token-signing keys, stored in the database so every node signs and verifies with the
 * same ones. The first node to start creates the key (`init`); rotation demotes current →
 * previous (still published and accepted) → retired.
 */
export function createSigningKeys({
  db,
  clock,
  box,
  generateRsaKeyPair: generate = generateRsaKeyPair,
}: SigningKeysDeps) {
  let keys: SigningKey[] = [];
  let lastReload = 0;
  let reloading: Promise<void> | undefined;
  /** Changes whenever the published key set does (callers drop what they verified with old keys). */
  let version = 0;

  async function reload(): Promise<void> {
    const rows = await repositories(db).signingKeys.listPublishedSigningKeys();
    const before = keys.map((k) => k.kid).join();
    keys = rows.map((row) => toKey(box, row));
    lastReload = clock.now();
    if (keys.map((k) => k.kid).join() !== before) version++;
  }

  /**
   * A rotation made elsewhere (`gatehouse keys rotate`, another node) reaches this node within
   * KEY_RELOAD_INTERVAL_MS: a stale key set is reloaded in the background.
   */
  function refreshSoon(): void {
    if (reloading || clock.now() - lastReload < KEY_RELOAD_INTERVAL_MS) return;
    reloading = reload()
      .catch(() => {})
      .finally(() => {
        reloading = undefined;
      });
  }

  const publicKey = (kid: string | undefined): KeyObject | undefined =>
    keys.find((k) => k.kid === kid)?.publicKey;

  /** Another node may have rotated: reload (at most once a second) and say whether `kid` is known now. */
  async function learn(kid: string | undefined): Promise<boolean> {
    if (!kid || kid.length > 64) return false;
    if (clock.now() - lastReload >= 1000) await reload();
    return publicKey(kid) !== undefined;
  }

  return {
    /** Loads the keys, creating the first one when there is none (concurrent first starts agree). */
    async init(): Promise<void> {
      await reload();
      if (keys.length > 0) return;
      const row = await newSigningKeyRow(box, clock.now(), generate);
      await db.transaction().execute(async (trx) => {
        const repos = repositories(trx);
        const claimed = await repos.meta.getOrInsertMeta("signing_key_initial", row.kid);
        if (claimed === row.kid) await repos.signingKeys.insertSigningKey(row);
      });
      await reload();
      if (keys.length === 0) throw new Error("no token signing key in the database");
    },

    reload,

    /** See `version` above (the token check compares it on every request). */
    get version(): number {
      return version;
    },

    /** Makes a new current key; the old one stays published as previous. */
    async rotate(): Promise<string> {
      const row = await newSigningKeyRow(box, clock.now(), generate);
      await db.transaction().execute(async (trx) => {
        const repos = repositories(trx);
        const now = clock.now();
        await repos.signingKeys.demoteSigningKeys("previous", "retired", now);
        await repos.signingKeys.demoteSigningKeys("current", "previous", now);
        await repos.signingKeys.insertSigningKey(row);
      });
      await reload();
      return row.kid;
    },

    current(): SigningKey {
      refreshSoon();
      const key = keys[0];
      if (!key) throw new Error("signing keys not loaded");
      return key;
    },

    publicKey,

    learn,

    /** An RS256 signature by a published key; a kid another node rotated in is learnt first. */
    async verify(token: string): Promise<JwtCheck> {
      const check = verifyJwt(token, publicKey);
      if (check.ok || check.reason !== "unknown-key") return check;
      return (await learn(decodeJwt(token)?.header.kid)) ? verifyJwt(token, publicKey) : check;
    },

    /** `GET /oidc/.well-known/jwks.json` keys: current first, then previous. */
    jwks(): { keys: JsonWebKey[] } {
      refreshSoon();
      return { keys: keys.map((k) => k.jwk) };
    },
  };
}

/** What callers hold: `ctx.signingKeys`. */
export type SigningKeys = ReturnType<typeof createSigningKeys>;
