import type { Selectable } from "kysely";
import type { SigningKeyTable } from "../schema.js";
import type { Executor } from "./executor.js";

export type SigningKeyRow = Selectable<SigningKeyTable>;

export function signingKeysRepo(db: Executor) {
  return {
    async insertSigningKey(row: SigningKeyRow): Promise<void> {
      await db.insertInto("signing_keys").values(row).execute();
    },
    /** Current and previous keys, newest first (what JWKS publishes and verification accepts). */
    listPublishedSigningKeys(): Promise<SigningKeyRow[]> {
      return db
        .selectFrom("signing_keys")
        .selectAll()
        .where("status", "in", ["current", "previous"])
        .orderBy("created_at", "desc")
        .execute();
    },
    async setSigningKeyStatus(kid: string, status: string, now: number): Promise<void> {
      await db.updateTable("signing_keys").set({ status, updated_at: now }).where("kid", "=", kid).execute();
    },
    /** Demote every key of one status to another (rotation: current → previous → retired). */
    async demoteSigningKeys(from: string, to: string, now: number): Promise<void> {
      await db
        .updateTable("signing_keys")
        .set({ status: to, updated_at: now })
        .where("status", "=", from)
        .execute();
    },
  };
}
