import { type ExpressionBuilder, sql } from "kysely";
import type { Database, UserTable } from "../schema.js";
import { writingUsers } from "../sqlite/user-rows.js";
import type { Executor } from "./executor.js";
import type { IdentityRow } from "./identities.js";
import { assertIdentifierKeys, type NewUserRow, type UserRow } from "./users.js";

export type UserColumn = keyof UserTable & string;

/** One filter on a users column; the service maps API fields and values onto these. */
export type UserCondition =
  | { column: UserColumn; op: "eq" | "ne" | "gt" | "lt"; value: string | number }
  | { column: UserColumn; op: "contains" | "not_contains"; value: string }
  | { column: UserColumn; op: "is_null" | "not_null" }
  | { column: UserColumn; op: "in"; value: (string | number)[] }
  | { column: UserColumn; op: "between"; value: [string | number, string | number] };

export interface UserSearch {
  /** Case-insensitive substring match on any of `keywordColumns`. */
  keywords?: string;
  keywordColumns: UserColumn[];
  conditions: UserCondition[];
  sort: { column: UserColumn; desc: boolean }[];
  offset: number;
  limit: number;
}

/** Identifiers already used in a pool: emails and usernames by key, as the unique indexes compare them. */
export interface TakenIdentifiers {
  emailKeys: Set<string>;
  usernameKeys: Set<string>;
  phones: Set<string>;
  externalIds: Set<string>;
}

function likePattern(s: string): string {
  return `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type Eb = ExpressionBuilder<Database, "users">;

function textOf(column: UserColumn) {
  return sql<string>`lower(cast(${sql.ref(column)} as text))`;
}

/** Comparisons of emails and usernames arrive on their key columns, with keys for values. */
function conditionExpr(eb: Eb, c: UserCondition) {
  const col = sql.ref(c.column);
  switch (c.op) {
    case "eq":
      return eb(col as any, "=", c.value);
    case "ne":
      return eb.or([eb(col as any, "<>", c.value), eb(col as any, "is", null)]);
    case "gt":
      return eb(col as any, ">", c.value);
    case "lt":
      return eb(col as any, "<", c.value);
    case "between":
      return eb.and([eb(col as any, ">=", c.value[0]), eb(col as any, "<=", c.value[1])]);
    case "in":
      return c.value.length === 0 ? sql<boolean>`1 = 0` : eb(col as any, "in", c.value);
    case "contains":
      return sql<boolean>`${textOf(c.column)} like ${likePattern(c.value)} escape '\\'`;
    case "not_contains":
      return eb.or([
        sql<boolean>`${textOf(c.column)} not like ${likePattern(c.value)} escape '\\'`,
        eb(sql.ref(c.column) as any, "is", null),
      ]);
    case "is_null":
      return eb(sql.ref(c.column) as any, "is", null);
    case "not_null":
      return eb(sql.ref(c.column) as any, "is not", null);
  }
}

/** Users of a pool for the management API: batch reads, search, batch writes. */
export function userAdminRepo(db: Executor) {
  const filtered = (poolId: string, search: Omit<UserSearch, "sort" | "offset" | "limit">) =>
    db
      .selectFrom("users")
      .where("pool_id", "=", poolId)
      .where((eb) => {
        const parts = search.conditions.map((c) => conditionExpr(eb, c));
        const kw = search.keywords?.trim();
        if (kw && search.keywordColumns.length > 0) {
          parts.push(
            eb.or(
              search.keywordColumns.map(
                (col) => sql<boolean>`${textOf(col)} like ${likePattern(kw)} escape '\\'`,
              ),
            ),
          );
        }
        return eb.and(parts);
      });

  return {
    findUsersByIds(poolId: string, ids: readonly string[]): Promise<UserRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("users")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "in", [...ids])
        .execute();
    },
    listIdentitiesByUsers(poolId: string, userIds: readonly string[]): Promise<IdentityRow[]> {
      if (userIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("identities")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "in", [...userIds])
        .orderBy("created_at")
        .execute();
    },
    async findUserByIdentity(
      poolId: string,
      extIdpId: string,
      userIdInIdp: string,
    ): Promise<UserRow | undefined> {
      return db
        .selectFrom("users")
        .selectAll("users")
        .innerJoin("identities", "identities.user_id", "users.id")
        .where("users.pool_id", "=", poolId)
        .where("identities.pool_id", "=", poolId)
        .where("identities.ext_idp_id", "=", extIdpId)
        .where("identities.user_id_in_idp", "=", userIdInIdp)
        .executeTakeFirst();
    },
    async searchUsers(poolId: string, search: UserSearch): Promise<UserRow[]> {
      let q = filtered(poolId, search).selectAll();
      for (const s of search.sort) q = q.orderBy(s.column, s.desc ? "desc" : "asc");
      return q.orderBy("id", "asc").offset(search.offset).limit(search.limit).execute();
    },
    async countSearchUsers(
      poolId: string,
      search: Omit<UserSearch, "sort" | "offset" | "limit">,
    ): Promise<number> {
      const r = await filtered(poolId, search)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** Several users in one statement; every row must carry the same columns. */
    async insertUsers(rows: NewUserRow[]): Promise<void> {
      for (const row of rows) assertIdentifierKeys(row);
      if (rows.length > 0) await writingUsers(db, () => db.insertInto("users").values(rows).execute());
    },
    async deleteUsers(poolId: string, ids: readonly string[]): Promise<number> {
      if (ids.length === 0) return 0;
      const r = await writingUsers(db, () =>
        db
          .deleteFrom("users")
          .where("pool_id", "=", poolId)
          .where("id", "in", [...ids])
          .executeTakeFirst(),
      );
      return Number(r.numDeletedRows);
    },
    /**
     * Refreshes the planner's statistics of the users table. Bulk imports call it as the table
     * grows: with stale statistics PostgreSQL picks the (pool_id, created_at) index for
     * identifier lookups and scans the whole pool.
     */
    async analyzeUsers(): Promise<void> {
      await sql`ANALYZE users`.execute(db);
    },
    /** Which of the given identifiers (emails and usernames by key) already belong to a user of the pool. */
    async findTakenIdentifiers(
      poolId: string,
      wanted: { emailKeys: string[]; usernameKeys: string[]; phones: string[]; externalIds: string[] },
    ): Promise<TakenIdentifiers> {
      const out: TakenIdentifiers = {
        emailKeys: new Set(),
        usernameKeys: new Set(),
        phones: new Set(),
        externalIds: new Set(),
      };
      const base = () => db.selectFrom("users").where("pool_id", "=", poolId);
      if (wanted.emailKeys.length > 0) {
        const rows = await base().select("email_key").where("email_key", "in", wanted.emailKeys).execute();
        for (const r of rows) if (r.email_key) out.emailKeys.add(r.email_key);
      }
      if (wanted.usernameKeys.length > 0) {
        const rows = await base()
          .select("username_key")
          .where("username_key", "in", wanted.usernameKeys)
          .execute();
        for (const r of rows) if (r.username_key) out.usernameKeys.add(r.username_key);
      }
      if (wanted.phones.length > 0) {
        const rows = await base().select("phone").where("phone", "in", wanted.phones).execute();
        for (const r of rows) if (r.phone) out.phones.add(r.phone);
      }
      if (wanted.externalIds.length > 0) {
        const rows = await base()
          .select("external_id")
          .where("external_id", "in", wanted.externalIds)
          .execute();
        for (const r of rows) if (r.external_id) out.externalIds.add(r.external_id);
      }
      return out;
    },
  };
}
