import type { Executor } from "./executor.js";

/** The database half of the management nonce cache (services/nonce-store.ts). */
export function signatureNoncesRepo(db: Executor) {
  return {
    /** True when the nonce was new for this key; false when it was already recorded. */
    async insertNonce(accessKeyId: string, nonce: string, expiresAt: number): Promise<boolean> {
      const r = await db
        .insertInto("signature_nonces")
        .values({ access_key_id: accessKeyId, nonce, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(["access_key_id", "nonce"]).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async deleteExpiredNonces(now: number): Promise<number> {
      const r = await db.deleteFrom("signature_nonces").where("expires_at", "<", now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
