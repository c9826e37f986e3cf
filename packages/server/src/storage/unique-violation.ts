import { isUniqueViolation } from "./db.js";

/** A column of `users` that names a user and is unique per pool. */
export type UserIdentifierColumn = "email" | "username" | "phone" | "external_id";

/**
 * What a unique-constraint violation was about, told apart once for both dialects so that
 * services map it to an answer without reading database error text:
 * - `user-identifier`: another user of the pool already has that email, username, phone or
 *   external id (the database is the final word on ownership; early checks only answer sooner);
 * - `identity`: the external identity is already linked to a user;
 * - `other`: any other unique index (a primary key, a token hash), named by `where`.
 */
export type UniqueViolation =
  | { kind: "user-identifier"; column: UserIdentifierColumn }
  | { kind: "identity" }
  | { kind: "other"; where: string };

// PostgreSQL names the index (`users_pool_email_key`); SQLite lists the columns of a plain one
// (`users.pool_id, users.email_key`). Emails and usernames are unique by their key columns.
const USER_IDENTIFIER = /\busers(?:_pool_|\.pool_id, users\.)(email|username|phone|external_id)(?:_key)?\b/;
const IDENTITY = /\bidentities[._]/;

/** The violation `err` is, or undefined when it is no unique-constraint violation. */
export function uniqueViolation(err: unknown): UniqueViolation | undefined {
  if (!isUniqueViolation(err)) return undefined;
  const e = err as { constraint?: string; message?: string };
  const where = e.constraint ?? e.message ?? "";
  const identifier = USER_IDENTIFIER.exec(where);
  if (identifier) return { kind: "user-identifier", column: identifier[1] as UserIdentifierColumn };
  if (IDENTITY.test(where)) return { kind: "identity" };
  return { kind: "other", where };
}
