import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { UserTable } from "../schema.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";

export type UserRow = Selectable<UserTable>;
export type NewUserRow = Insertable<UserTable>;
export type UserPatch = Updateable<UserTable>;

const userByPhone = compiled("users.byPhone", (db, poolId: string, phone: string) =>
  db.selectFrom("users").selectAll().where("pool_id", "=", poolId).where("phone", "=", phone),
);
const userById = compiled("users.byId", (db, poolId: string, id: string) =>
  db.selectFrom("users").selectAll().where("pool_id", "=", poolId).where("id", "=", id),
);

export function usersRepo(db: Executor) {
  return {
    async insertUser(row: NewUserRow): Promise<void> {
      await db.insertInto("users").values(row).execute();
    },
    findUserById: async (poolId: string, id: string) => firstRow(await userById(db, poolId, id)),
    /** Case-insensitive; served by the (pool_id, lower(email)) unique index. */
    findUserByEmail(poolId: string, email: string): Promise<UserRow | undefined> {
      return db
        .selectFrom("users")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where(sql<string>`lower(email)`, "=", email.toLowerCase())
        .executeTakeFirst();
    },
    /** `phone` is E.164. */
    findUserByPhone: async (poolId: string, phone: string): Promise<UserRow | undefined> =>
      firstRow(await userByPhone(db, poolId, phone)),
    findUserByUsername(poolId: string, username: string): Promise<UserRow | undefined> {
      return db
        .selectFrom("users")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where(sql<string>`lower(username)`, "=", username.toLowerCase())
        .executeTakeFirst();
    },
    findUserByExternalId(poolId: string, externalId: string): Promise<UserRow | undefined> {
      return db
        .selectFrom("users")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("external_id", "=", externalId)
        .executeTakeFirst();
    },
    /** Returns the number of rows changed (0 when the user is gone). */
    async updateUser(poolId: string, id: string, patch: UserPatch): Promise<number> {
      const r = await db
        .updateTable("users")
        .set(patch)
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async deleteUser(poolId: string, id: string): Promise<number> {
      const r = await db
        .deleteFrom("users")
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async countUsers(poolId: string): Promise<number> {
      const r = await db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("pool_id", "=", poolId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
