/**
 * `passwordEncryptType: "rsa"`: encrypt a password with the server's public key from
 * `GET /api/v3/system`. WebCrypto has no PKCS#1 v1.5 encryption, so this uses RSA-OAEP (SHA-1),
 * which Gatehouse accepts as its documented fallback (docs/behaviour-and-errors.md §4.3).
 */
function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const b64 = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  const bin = atob(b64);
  const der = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) der[i] = bin.charCodeAt(i);
  return der;
}

export function importRsaPublicKey(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("spki", pemToDer(pem), { name: "RSA-OAEP", hash: "SHA-1" }, false, [
    "encrypt",
  ]);
}

/** Base64 ciphertext of `password` under the server's RSA public key. */
export async function encryptPassword(publicKey: CryptoKey | string, password: string): Promise<string> {
  const key = typeof publicKey === "string" ? await importRsaPublicKey(publicKey) : publicKey;
  const cipher = new Uint8Array(
    await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, new TextEncoder().encode(password)),
  );
  let bin = "";
  for (const b of cipher) bin += String.fromCharCode(b);
  return btoa(bin);
}
