import { type Kysely, type Migration, sql } from "kysely";
import { identifierKey } from "../../services/users/identifiers.js";

/** A user left without a key: another user of the pool holds the same key (docs/behaviour-and-errors.md §1.9). */
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
      // Indexed while every key is NULL, before the backfill: an index built over rows this
      // transaction has updated would be unusable to PostgreSQL queries until every transaction
      // older than this one ends; the backfill's checks of keys already given use them too.
      for (const column of ["email_key", "username_key"]) {
        await db.schema
          .createIndex(`users_pool_${column}`)
          .on("users")
          .columns(["pool_id", column])
          .unique()
          .execute();
      }
      // SQLite runs migrations outside a transaction; the backfill is one.
      if (db.isTransaction) await backfill(db, warn);
      else await db.transaction().execute((trx) => backfill(trx, warn));
      await sql`DROP INDEX users_pool_email`.execute(db);
      await sql`DROP INDEX users_pool_username`.execute(db);
    },
  };
}

const PAGE = 1000;

interface Row {
  id: string;
  pool_id: string;
  username: string | null;
  email: string | null;
  created_at: number | string;
}

/**
 * Oldest users first, a page at a time: each row gets the keys of its username and email unless an
 * older user of the pool already holds them (earlier in the page, or written by an earlier page).
 */
async function backfill(db: Kysely<any>, warn: (collision: IdentifierKeyCollision) => void): Promise<void> {
  let after: Row | undefined;
  for (;;) {
    let page = db
      .selectFrom("users")
      .select(["id", "pool_id", "username", "email", "created_at"])
      .where((eb) => eb.or([eb("username", "is not", null), eb("email", "is not", null)]));
    if (after) {
      const { created_at, id } = after;
      page = page.where((eb) =>
        eb.or([
          eb("created_at", ">", created_at),
          eb.and([eb("created_at", "=", created_at), eb("id", ">", id)]),
        ]),
      );
    }
    const rows: Row[] = await page.orderBy("created_at").orderBy("id").limit(PAGE).execute();
    const usernameKeys = await keysGiven(db, rows, "username");
    const emailKeys = await keysGiven(db, rows, "email");
    for (const row of rows) {
      const username_key = claim(usernameKeys, row, "username", warn);
      const email_key = claim(emailKeys, row, "email", warn);
      if (username_key === null && email_key === null) continue;
      await db.updateTable("users").set({ username_key, email_key }).where("id", "=", row.id).execute();
    }
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1];
  }
}

/** The page's keys of `column` (pool + key → holder), holders already written filled in. */
async function keysGiven(db: Kysely<any>, rows: Row[], column: "username" | "email") {
  const keyColumn = `${column}_key`;
  const holders = new Map<string, string | undefined>();
  for (const row of rows) {
    const value = row[column];
    if (value !== null) holders.set(`${row.pool_id}\u0000${identifierKey(value)}`, undefined);
  }
  const keys = [...new Set([...holders.keys()].map((k) => k.slice(k.indexOf("\u0000") + 1)))];
  if (keys.length > 0) {
    const given = await db
      .selectFrom("users")
      .select(["id", "pool_id", keyColumn])
      .where(keyColumn, "in", keys)
      .execute();
    for (const g of given as Record<string, string>[]) {
      const pooled = `${g.pool_id}\u0000${g[keyColumn]}`;
      if (holders.has(pooled)) holders.set(pooled, g.id);
    }
  }
  return holders;
}

function claim(
  holders: Map<string, string | undefined>,
  row: Row,
  column: "username" | "email",
  warn: (collision: IdentifierKeyCollision) => void,
): string | null {
  const value = row[column];
  if (value === null) return null;
  const key = identifierKey(value);
  const pooled = `${row.pool_id}\u0000${key}`;
  const holder = holders.get(pooled);
  if (holder !== undefined) {
    warn({ poolId: row.pool_id, userId: row.id, column, ownerId: holder });
    return null;
  }
  holders.set(pooled, row.id);
  return key;
}
