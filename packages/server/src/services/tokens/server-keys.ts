import type { Repositories } from "../../storage/repos/index.js";
import { dropLegacySecret, loadMasterKey, type MasterKeySource } from "../secrets/master-key.js";
import { RSA_KEYPAIR_META, sealExistingSecrets } from "../secrets/seal-existing.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { type GenerateRsaKeyPair, generateRsaKeyPair } from "./rsa-key-pair.js";

export interface ServerKeys {
  /** Keys the HMACs of codes and one-time tokens: the master key (services/secrets/master-key.ts). */
  secret: string;
  /** Seals and opens the secrets stored in the database (docs/security.md). */
  box: SecretBox;
  masterKeySource: MasterKeySource;
  /** RSA key pair clients use for `passwordEncryptType: "rsa"` (published at /api/v3/system). */
  rsaPublicKeyPem: string;
  rsaPrivateKeyPem: string;
}

/**
 * Loads the master key, seals what an older version stored in clear, and loads the RSA key pair,
 * generating it at first start. The pair is stored sealed in the database so that several nodes
 * sharing it agree (first writer wins).
 */
export async function loadServerKeys(
  repos: Repositories,
  options: { configuredSecret?: string; dataDir: string; generateRsaKeyPair?: GenerateRsaKeyPair },
): Promise<ServerKeys> {
  const { secret, box, source } = await loadMasterKey(repos, options);
  await sealExistingSecrets(repos, box);
  await dropLegacySecret(repos);
  let sealed = await repos.meta.getMeta(RSA_KEYPAIR_META);
  if (!sealed) {
    const { publicKey, privateKey } = await (options.generateRsaKeyPair ?? generateRsaKeyPair)();
    sealed = await repos.meta.getOrInsertMeta(
      RSA_KEYPAIR_META,
      box.seal("server-rsa-key", RSA_KEYPAIR_META, JSON.stringify({ publicKey, privateKey })),
    );
  }
  const { publicKey, privateKey } = JSON.parse(box.open("server-rsa-key", RSA_KEYPAIR_META, sealed)) as {
    publicKey: string;
    privateKey: string;
  };
  return { secret, box, masterKeySource: source, rsaPublicKeyPem: publicKey, rsaPrivateKeyPem: privateKey };
}
