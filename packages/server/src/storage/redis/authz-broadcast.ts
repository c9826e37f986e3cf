import type { Logger } from "pino";
import type { Redis } from "./client.js";
import { type IdBroadcast, idBroadcast } from "./id-broadcast.js";

const CHANNEL = "authz-changed";

/**
 * With Redis, an authorization write on one node reaches every node's grants cache at once: the
 * pool's id goes out and each node drops what it cached for the pool (services/authz/cache.ts).
 */
export function authzBroadcast(
  redis: Redis,
  keyPrefix: string,
  onChanged: (poolIds: string[]) => void,
  logger: Logger,
): Promise<IdBroadcast> {
  return idBroadcast(
    redis,
    `${keyPrefix}${CHANNEL}`,
    onChanged,
    logger,
    "authorization change not broadcast; other nodes see it within their cache TTL",
  );
}
