import type DataLoader from "dataloader";
import type { Insertable, Selectable, Updateable } from "kysely";
import { batchedUserReads, type UserKey } from "../postgres/user-reads.js";
import type { UserTable } from "../schema.js";
import { userRowsFor, writingUsers } from "../sqlite/user-rows.js";
import type { Step } from "./all-or-nothing.js";
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
/** By key (identifierKey in services/users/identifiers.ts): served by the (pool_id, …_key) unique indexes. */
const userByEmailKey = compiled("users.byEmailKey", (db, poolId: string, key: string) =>
  db.selectFrom("users").selectAll().where("pool_id", "=", poolId).where("email_key", "=", key),
);
const otherHolderOfPhone = compiled(
  "users.otherHolderOfPhone",
  (db, poolId: string, phone: string, id: string) =>
    db
      .selectFrom("users")
      .select("id")
      .where("pool_id", "=", poolId)
      .where("phone", "=", phone)
      .where("id", "<>", id),
);
const otherHolderOfEmailKey = compiled(
  "users.otherHolderOfEmailKey",
  (db, poolId: string, key: string, id: string) =>
    db
      .selectFrom("users")
      .select("id")
      .where("pool_id", "=", poolId)
      .where("email_key", "=", key)
      .where("id", "<>", id),
);
const userByUsernameKey = compiled("users.byUsernameKey", (db, poolId: string, key: string) =>
  db.selectFrom("users").selectAll().where("pool_id", "=", poolId).where("username_key", "=", key),
);

/**
 * A write that sets a username or an email must set its key as well (withIdentifierKeys in
 * services/users/identifiers.ts computes them): a missing key would leave the identifier
 * unfindable and outside the uniqueness rule.
 */
export function assertIdentifierKeys(row: {
  username?: unknown;
  email?: unknown;
  username_key?: unknown;
  email_key?: unknown;
}): void {
  if (row.username !== undefined && row.username_key === undefined)
    throw new Error("users.username written without username_key");
  if (row.email !== undefined && row.email_key === undefined)
    throw new Error("users.email written without email_key");
}

export function usersRepo(db: Executor) {
  let batched: DataLoader<UserKey, UserRow | undefined> | null | undefined;
  return {
    async insertUser(row: NewUserRow): Promise<void> {
      assertIdentifierKeys(row);
      await writingUsers(db, () => db.insertInto("users").values(row).execute());
    },
    async findUserById(poolId: string, id: string): Promise<UserRow | undefined> {
      batched ??= batchedUserReads(db) ?? null;
      const loader = batched;
      const load = loader
        ? () => loader.load({ poolId, id })
        : async () => firstRow(await userById(db, poolId, id));
      const cached = userRowsFor<UserRow>(db);
      return cached ? cached.get(poolId, id, load) : load();
    },
    /** A step of an all-or-nothing batch that fails when another user of the pool has `phone`. */
    phoneFreeForStep: (poolId: string, phone: string, userId: string): Step => ({
      query: otherHolderOfPhone.compile(db, poolId, phone, userId),
      expectRows: 0,
    }),
    /** As phoneFreeForStep, for the email with this key. */
    emailKeyFreeForStep: (poolId: string, key: string, userId: string): Step => ({
      query: otherHolderOfEmailKey.compile(db, poolId, key, userId),
      expectRows: 0,
    }),
    /** `key` is identifierKey(email). */
    findUserByEmailKey: async (poolId: string, key: string): Promise<UserRow | undefined> =>
      firstRow(await userByEmailKey(db, poolId, key)),
    /** `phone` is E.164. */
    findUserByPhone: async (poolId: string, phone: string): Promise<UserRow | undefined> =>
      firstRow(await userByPhone(db, poolId, phone)),
    /** `key` is identifierKey(username). */
    findUserByUsernameKey: async (poolId: string, key: string): Promise<UserRow | undefined> =>
      firstRow(await userByUsernameKey(db, poolId, key)),
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
      assertIdentifierKeys(patch);
      const r = await writingUsers(
        db,
        () =>
          db
            .updateTable("users")
            .set(patch)
            .where("pool_id", "=", poolId)
            .where("id", "=", id)
            .executeTakeFirst(),
        [id],
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
