import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";

const generateKeyPairAsync = promisify(generateKeyPair);

/** An RSA key pair as PEM: the public key SPKI, the private key PKCS #8. */
export interface RsaKeyPairPem {
  publicKey: string;
  privateKey: string;
}

/**
 * Makes a new RSA key pair: the server's password-encryption pair and each token-signing key.
 * Passed in (ContextOptions.generateRsaKeyPair) so tests can hand out pairs made beforehand: a
 * 2048-bit pair costs 0.1-0.3 s of CPU, and every test context needs two.
 */
export type GenerateRsaKeyPair = () => Promise<RsaKeyPairPem>;

/** A new random RSA-2048 pair (node:crypto, off the event loop). */
export const generateRsaKeyPair: GenerateRsaKeyPair = () =>
  generateKeyPairAsync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
