import { type Kysely, type Migration, sql } from "kysely";
import { identifierKey } from "../../services/users/identifiers.js";

/** A user left without a key: another user of the pool holds the same key (docs/behaviour-and-errors.md §1.6). */
export interface IdentifierKeyCollision {
  poolId: string;
  userId: string;
  column: "username" | "email";
  /** The user who keeps the key: the older account. */
  ownerId: string;
}

/**
 * Emails and usernames get a key column each (identifierKey: NFKC, case fold), unique per pool,
 * in place of the `lower(…)` indexes: SQLite's lower() folds ASCII only, so "Émile" could not sign
 * in and "émile" could register beside it. Existing rows are keyed by the same TypeScript function
 * on both databases. Where two users of a pool already share a key, the older account (created
 * first, then lower id) keeps it and the newer one is left with no key: it keeps its username or
 * email as stored but cannot be found by it until renamed; `warn` reports each such user.
 */
export function identifierKeysMigration(warn: (collision: IdentifierKeyCollision) => void): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("users").addColumn("username_key", "text").execute();
      await db.schema.alterTable("users").addColumn("email_key", "text").execute();
      // SQLite runs migrations outside a transaction; the backfill is one.
      if (db.isTransaction) await backfill(db, warn);
      else await db.transaction().execute((trx) => backfill(trx, warn));
      await sql`DROP INDEX users_pool_email`.execute(db);
      await sql`DROP INDEX users_pool_username`.execute(db);
      await db.schema
        .createIndex("users_pool_email_key")
        .on("users")
        .columns(["pool_id", "email_key"])
        .unique()
        .execute();
      await db.schema
        .createIndex("users_pool_username_key")
        .on("users")
        .columns(["pool_id", "username_key"])
        .unique()
        .execute();
    },
  };
}

const PAGE = 1000;

/** Every row keyed (one page of ids at a time), then each shared key left to its oldest holder. */
async function backfill(db: Kysely<any>, warn: (collision: IdentifierKeyCollision) => void): Promise<void> {
  let after = "";
  for (;;) {
    const rows = await db
      .selectFrom("users")
      .select(["id", "username", "email"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(PAGE)
      .execute();
    for (const row of rows as { id: string; username: string | null; email: string | null }[]) {
      if (row.username === null && row.email === null) continue;
      const username_key = row.username === null ? null : identifierKey(row.username);
      const email_key = row.email === null ? null : identifierKey(row.email);
      await db.updateTable("users").set({ username_key, email_key }).where("id", "=", row.id).execute();
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.id;
  }
  for (const column of ["username", "email"] as const) await resolveCollisions(db, column, warn);
}

async function resolveCollisions(
  db: Kysely<any>,
  column: "username" | "email",
  warn: (collision: IdentifierKeyCollision) => void,
): Promise<void> {
  const keyColumn = `${column}_key` as const;
  const shared = await db
    .selectFrom("users")
    .select(["pool_id", keyColumn])
    .where(keyColumn, "is not", null)
    .groupBy(["pool_id", keyColumn])
    .having((eb) => eb.fn.countAll(), ">", 1)
    .execute();
  for (const group of shared as Record<string, string>[]) {
    const holders = await db
      .selectFrom("users")
      .select("id")
      .where("pool_id", "=", group.pool_id!)
      .where(keyColumn, "=", group[keyColumn]!)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    const [owner, ...others] = holders.map((h: { id: string }) => h.id);
    for (const userId of others) {
      await db
        .updateTable("users")
        .set({ [keyColumn]: null })
        .where("id", "=", userId)
        .execute();
      warn({ poolId: group.pool_id!, userId, column, ownerId: owner! });
    }
  }
}
