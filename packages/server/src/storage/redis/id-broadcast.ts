import type { Logger } from "pino";
import type { Redis } from "./client.js";

/** Ids per message: a flood is split. */
const BATCH = 500;

export interface IdBroadcast {
  /** Tell every node (this one too) about these ids. Never throws. */
  publish(ids: string[]): void;
  close(): Promise<void>;
}

/**
 * Ids on a Redis pub/sub channel, for caches that must drop an entry on every node at once
 * (sessions, authorization grants). The database stays the truth: a message lost while Redis is
 * down costs at most the cache's TTL, which `lostMessage` tells the log.
 */
export async function idBroadcast(
  redis: Redis,
  channel: string,
  onIds: (ids: string[]) => void,
  logger: Logger,
  lostMessage: string,
): Promise<IdBroadcast> {
  const subscriber = redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
  subscriber.on("error", () => {});
  subscriber.on("message", (_channel: string, message: string) => {
    try {
      const ids = JSON.parse(message);
      if (Array.isArray(ids)) onIds(ids.filter((id): id is string => typeof id === "string"));
    } catch {
      // not ours
    }
  });
  await subscriber.connect();
  await subscriber.subscribe(channel);
  return {
    publish(ids) {
      for (let i = 0; i < ids.length; i += BATCH) {
        redis.publish(channel, JSON.stringify(ids.slice(i, i + BATCH))).catch((err: Error) => {
          logger.warn({ err: err.message }, lostMessage);
        });
      }
    },
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
