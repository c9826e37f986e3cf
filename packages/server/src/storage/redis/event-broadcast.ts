import type { Logger } from "pino";
import type { Redis } from "./client.js";

const CHANNEL = "events";

export interface EventBroadcast {
  /** Sends a committed event to every node (this one too). Never throws. */
  publish(message: string): void;
  close(): Promise<void>;
}

/**
 * With Redis, the live event stream reaches subscribers on every node: the node that dispatched an
 * event publishes it once, each node hands it to its own sockets (docs/events.md#the-live-stream).
 * A message lost while Redis is down is lost for live subscribers only; webhooks read the outbox.
 */
export async function eventBroadcast(
  redis: Redis,
  keyPrefix: string,
  onMessage: (message: string) => void,
  logger: Logger,
): Promise<EventBroadcast> {
  const channel = `${keyPrefix}${CHANNEL}`;
  const subscriber = redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
  subscriber.on("error", () => {});
  subscriber.on("message", (_channel: string, message: string) => onMessage(message));
  await subscriber.connect();
  await subscriber.subscribe(channel);
  return {
    publish(message) {
      redis.publish(channel, message).catch((err: Error) => {
        logger.warn({ err: err.message }, "event not broadcast to the live stream of other nodes");
      });
    },
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
