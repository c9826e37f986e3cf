import type DataLoader from "dataloader";
import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import { batchedUserReads, type UserKey } from "../postgres/user-reads.js";
import type { UserTable } from "../schema.js";
import { userRowsFor, writingUsers } from "../sqlite/user-rows.js";
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
/** `email` and `username` lower-cased by the caller: served by the (pool_id, lower(…)) unique indexes. */
const userByEmail = compiled("users.byEmail", (db, poolId: string, email: string) =>
  db
    .selectFrom("users")
    .selectAll()
    .where("pool_id", "=", poolId)
    .where(sql<string>`lower(email)`, "=", email),
);
const userByUsername = compiled("users.byUsername", (db, poolId: string, username: string) =>
  db
    .selectFrom("users")
    .selectAll()
    .where("pool_id", "=", poolId)
    .where(sql<string>`lower(username)`, "=", username),
);

export function usersRepo(db: Executor) {
  let batched: DataLoader<UserKey, UserRow | undefined> | null | undefined;
  return {
    async insertUser(row: NewUserRow): Promise<void> {
      await writingUsers(db, () => db.insertInto("users").values(row).execute());
    },
    async findUserById(poolId: string, id: string): Promise<UserRow | undefined> {
      batched ??= batchedUserReads(db) ?? null;
      if (batched) return batched.load({ poolId, id });
      const load = async () => firstRow(await userById(db, poolId, id));
      const cached = userRowsFor<UserRow>(db);
      return cached ? cached.get(poolId, id, load) : load();
    },
    /** Case-insensitive; served by the (pool_id, lower(email)) unique index. */
    findUserByEmail: async (poolId: string, email: string): Promise<UserRow | undefined> =>
      firstRow(await userByEmail(db, poolId, email.toLowerCase())),
    /** `phone` is E.164. */
    findUserByPhone: async (poolId: string, phone: string): Promise<UserRow | undefined> =>
      firstRow(await userByPhone(db, poolId, phone)),
    findUserByUsername: async (poolId: string, username: string): Promise<UserRow | undefined> =>
      firstRow(await userByUsername(db, poolId, username.toLowerCase())),
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
      const r = await writingUsers(db, () =>
        db
          .updateTable("users")
          .set(patch)
          .where("pool_id", "=", poolId)
          .where("id", "=", id)
          .executeTakeFirst(),
      );
      return Number(r.numUpdatedRows);
    },
    async deleteUser(poolId: string, id: string): Promise<number> {
      const r = await writingUsers(db, () =>
        db.deleteFrom("users").where("pool_id", "=", poolId).where("id", "=", id).executeTakeFirst(),
      );
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
