import type { Logger } from "pino";
import type { Redis } from "./client.js";
import { type IdBroadcast, idBroadcast } from "./id-broadcast.js";

const CHANNEL = "sessions-changed";

export type SessionBroadcast = IdBroadcast;

/**
 * With Redis, a session ended on one node stops working on every node at once: the ids go out on
 * a pub/sub channel and each node drops its cached state (services/sessions.ts). The database
 * stays the truth — a message lost while Redis is down costs at most the cache TTL.
 */
export function sessionBroadcast(
  redis: Redis,
  keyPrefix: string,
  onChanged: (sessionIds: string[]) => void,
  logger: Logger,
): Promise<SessionBroadcast> {
  // Channels are not keys: ioredis does not prefix them.
  return idBroadcast(
    redis,
    `${keyPrefix}${CHANNEL}`,
    onChanged,
    logger,
    "session change not broadcast; other nodes see it within their cache TTL",
  );
}
