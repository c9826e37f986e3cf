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
    findIdentityInIdp(
      poolId: string,
      extIdpId: string,
      userIdInIdp: string,
      type: string,
    ): Promise<IdentityRow | undefined> {
      return db
        .selectFrom("identities")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("ext_idp_id", "=", extIdpId)
        .where("user_id_in_idp", "=", userIdInIdp)
        .where("type", "=", type)
        .executeTakeFirst();
    },
    /** A user's identities at one provider (of one type, when given); returns how many went. */
    async deleteUserIdentitiesOfIdp(userId: string, extIdpId: string, type?: string): Promise<number> {
      let q = db.deleteFrom("identities").where("user_id", "=", userId).where("ext_idp_id", "=", extIdpId);
      if (type !== undefined) q = q.where("type", "=", type);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async deleteIdentitiesOfIdp(poolId: string, extIdpId: string): Promise<void> {
      await db
        .deleteFrom("identities")
        .where("pool_id", "=", poolId)
        .where("ext_idp_id", "=", extIdpId)
        .execute();
    },
    async deleteIdentitiesByUser(userId: string): Promise<void> {
      await db.deleteFrom("identities").where("user_id", "=", userId).execute();
    },
  };
}
