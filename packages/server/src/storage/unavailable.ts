/**
 * "The shared state is unreachable right now" — PostgreSQL gone, SQLite locked past its busy
 * timeout, Redis disconnected. Requests answer 503 (envelope) instead of 500 and the process
 * keeps running; the next request after the store comes back succeeds.
 */
export class StorageUnavailable extends Error {
  readonly code = "STORAGE_UNAVAILABLE";
  constructor(what: string, cause?: unknown) {
    super(`${what} unavailable`, { cause });
  }
}

/** Network-level and server-shutdown codes (Node, PostgreSQL SQLSTATE, SQLite). */
const UNAVAILABLE_CODES = new Set([
  "STORAGE_UNAVAILABLE",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "08000", // connection_exception
  "08001", // sqlclient_unable_to_establish_sqlconnection
  "08003", // connection_does_not_exist
  "08004", // sqlserver_rejected_establishment_of_sqlconnection
  "08006", // connection_failure
  "53300", // too_many_connections
  "57014", // query_canceled: statement_timeout (GATEHOUSE_PG_STATEMENT_TIMEOUT_MS)
  "55P03", // lock_not_available
  "25P03", // idle_in_transaction_session_timeout
  "SQLITE_BUSY",
]);

/**
 * node-postgres reports a dropped socket ("Connection terminated unexpectedly"), a connect
 * timeout and a client broken by either with a message and no code.
 */
const PG_CONNECTION_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
];

export function isStorageUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (!e || typeof e !== "object") return false;
  if (typeof e.code === "string" && UNAVAILABLE_CODES.has(e.code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return e.code === undefined && PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m));
}
