import type { Repositories } from "../storage/repos/index.js";
import type { Clock } from "./clock.js";
import { parsePoolSettings } from "./settings.js";

/** How long a node trusts what it read (a settings change reaches every node within this). */
const TTL_MS = 5_000;

/**
 * The browser origins allowed to call Gatehouse, from the pools' `allowedOrigins` (exact
 * origins, or "*"). A request naming its application (x-authing-app-id) gets that pool's list;
 * a preflight cannot name it (browsers send no custom header values there), so it gets the
 * union of every pool's — the real request that follows is checked against its own pool.
 */
export function corsOrigins(repos: Repositories, clock: Clock) {
  const cache = new Map<string, { origins: Set<string>; readAt: number }>();

  async function cached(key: string, read: () => Promise<Set<string>>): Promise<Set<string>> {
    const now = clock.now();
    const hit = cache.get(key);
    if (hit && now - hit.readAt < TTL_MS) return hit.origins;
    const origins = await read();
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { origins, readAt: now });
    return origins;
  }

  const ofSettings = (json: string) => parsePoolSettings(json).allowedOrigins;

  return {
    async allows(origin: string, appId: string | undefined): Promise<boolean> {
      const origins =
        appId && appId.length <= 64
          ? await cached(`app:${appId}`, async () => {
              const app = await repos.findApplicationById(appId);
              const pool = app ? await repos.findPoolById(app.pool_id) : undefined;
              return new Set(pool ? ofSettings(pool.settings) : []);
            })
          : await cached(
              "any",
              async () => new Set((await repos.listPools()).flatMap((p) => ofSettings(p.settings))),
            );
      return origins.has("*") || origins.has(origin);
    },
  };
}
