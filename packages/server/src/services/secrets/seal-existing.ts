import type { Repositories } from "../../storage/repos/index.js";
import { type SealableColumn, sealableColumns } from "../../storage/repos/sealed-columns.js";
import { isSealed, type SealPurpose, type SecretBox } from "./secret-box.js";

const PURPOSES: Record<SealableColumn, SealPurpose> = {
  "user_pools.secret": "pool-secret",
  "applications.secret": "app-secret",
  "access_keys.secret": "access-key-secret",
  "signing_keys.private_pem": "signing-key",
};

/** The meta row holding the server's RSA key pair for `passwordEncryptType: "rsa"`; sealed with its key as id. */
export const RSA_KEYPAIR_META = "rsa_keypair";

/**
 * Seals in place the secrets a database written by an older version holds in clear. Runs at
 * every start (a migration cannot: it does not have the master key); a value already sealed is
 * left alone, and each update names the clear value it replaces, so nodes starting together
 * seal each row once. Returns how many values it sealed.
 */
export async function sealExistingSecrets(repos: Repositories, box: SecretBox): Promise<number> {
  let sealed = 0;
  for (const column of sealableColumns) {
    for (const row of await repos.sealedColumns.listUnsealed(column)) {
      const value = box.seal(PURPOSES[column], row.id, row.value);
      sealed += await repos.sealedColumns.replaceValue(column, row.id, row.value, value);
    }
  }
  const rsa = await repos.meta.getMeta(RSA_KEYPAIR_META);
  if (rsa !== undefined && !isSealed(rsa)) {
    await repos.meta.replaceMeta(RSA_KEYPAIR_META, rsa, box.seal("server-rsa-key", RSA_KEYPAIR_META, rsa));
    sealed++;
  }
  return sealed;
}
