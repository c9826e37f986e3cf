import { generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type { Repositories } from "../../storage/repos/index.js";

const generateKeyPairAsync = promisify(generateKeyPair);

export interface ServerKeys {
  /** Keys the HMACs of codes and one-time tokens. */
  secret: string;
  /** RSA key pair clients use for `passwordEncryptType: "rsa"` (published at /api/v3/system). */
  rsaPublicKeyPem: string;
  rsaPrivateKeyPem: string;
}

/**
 * Loads the server secret and RSA key pair, generating them at first start. Stored in the
 * database so that several nodes sharing it agree (first writer wins).
 */
export async function loadServerKeys(repos: Repositories, configuredSecret?: string): Promise<ServerKeys> {
  const secret =
    configuredSecret ?? (await repos.meta.getOrInsertMeta("server_secret", randomBytes(32).toString("hex")));
  let pem = await repos.meta.getMeta("rsa_keypair");
  if (!pem) {
    const { publicKey, privateKey } = await generateKeyPairAsync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    pem = await repos.meta.getOrInsertMeta("rsa_keypair", JSON.stringify({ publicKey, privateKey }));
  }
  const { publicKey, privateKey } = JSON.parse(pem) as { publicKey: string; privateKey: string };
  return { secret, rsaPublicKeyPem: publicKey, rsaPrivateKeyPem: privateKey };
}
