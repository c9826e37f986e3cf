import type { Logger } from "pino";
import type { Redis } from "./client.js";

const CHANNEL = "sessions-changed";
/** Ids per message: one end of all of a user's sessions fits, a flood is split. */
const BATCH = 500;

export interface SessionBroadcast {
  /** Tell every node (this one too) that these sessions ended or changed. Never throws. */
  publish(sessionIds: string[]): void;
  close(): Promise<void>;
}

/**
 * With Redis, a session ended on one node stops working on every node at once: the ids go out on
 * a pub/sub channel and each node drops its cached state (services/sessions.ts). The database
 * stays the truth — a message lost while Redis is down costs at most the cache TTL.
 */
export async function sessionBroadcast(
  redis: Redis,
  keyPrefix: string,
  onChanged: (sessionIds: string[]) => void,
  logger: Logger,
): Promise<SessionBroadcast> {
  // Channels are not keys: ioredis does not prefix them.
  const channel = `${keyPrefix}${CHANNEL}`;
  const subscriber = redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
  subscriber.on("error", () => {});
  subscriber.on("message", (_channel: string, message: string) => {
    try {
      const ids = JSON.parse(message);
      if (Array.isArray(ids)) onChanged(ids.filter((id): id is string => typeof id === "string"));
    } catch {
      // not ours
    }
  });
  await subscriber.connect();
  await subscriber.subscribe(channel);
  return {
    publish(sessionIds) {
      for (let i = 0; i < sessionIds.length; i += BATCH) {
        redis.publish(channel, JSON.stringify(sessionIds.slice(i, i + BATCH))).catch((err: Error) => {
          logger.warn(
            { err: err.message },
            "session change not broadcast; other nodes see it within their cache TTL",
          );
        });
      }
    },
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
