import type { Selectable } from "kysely";
import type { IdentityTable } from "../schema.js";
import type { Executor } from "./executor.js";

export type IdentityRow = Selectable<IdentityTable>;

export function identitiesRepo(db: Executor) {
  return {
    async insertIdentity(row: IdentityRow): Promise<void> {
      await db.insertInto("identities").values(row).execute();
    },
    listIdentitiesByUser(userId: string): Promise<IdentityRow[]> {
      return db
        .selectFrom("identities")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("created_at")
        .execute();
    },
    async deleteIdentitiesByUser(userId: string): Promise<void> {
      await db.deleteFrom("identities").where("user_id", "=", userId).execute();
    },
  };
}
