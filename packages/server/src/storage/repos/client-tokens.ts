import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";

const revokedByJti = compiled("clientTokens.revoked", (db, jti: string) =>
  db.selectFrom("revoked_client_tokens").select(["jti"]).where("jti", "=", jti),
);

/** Client-credentials tokens revoked before their expiry (the tokens themselves are not stored). */
export function clientTokensRepo(db: Executor) {
  return {
    isClientTokenRevoked: async (jti: string): Promise<boolean> =>
      firstRow(await revokedByJti(db, jti)) !== undefined,
    /** Idempotent: revoking twice keeps the first record. */
    async revokeClientToken(row: {
      jti: string;
      access_key_id: string;
      revoked_at: number;
      expires_at: number;
    }): Promise<void> {
      await db
        .insertInto("revoked_client_tokens")
        .values(row)
        .onConflict((oc) => oc.column("jti").doNothing())
        .execute();
    },
    /** Records past the token's own expiry say nothing any more. */
    async purgeExpiredClientTokenRevocations(now: number): Promise<number> {
      const r = await db
        .deleteFrom("revoked_client_tokens")
        .where("expires_at", "<=", now)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
