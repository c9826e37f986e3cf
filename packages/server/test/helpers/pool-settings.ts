import { mergePoolSettings, parsePoolSettings } from "../../src/services/users/pool-settings.js";
import type { Harness } from "./harness.js";

/** Deep-merge `patch` into the default pool's stored settings (until the management API exists). */
export async function patchPoolSettings(h: Harness, patch: Record<string, unknown>): Promise<void> {
  const pool = await h.ctx.repos.pools.findPoolById(h.boot.userPoolId);
  if (!pool) throw new Error("default pool missing");
  const next = mergePoolSettings(parsePoolSettings(pool.settings), patch);
  await h.ctx.repos.pools.updatePoolSettings(pool.id, JSON.stringify(next), h.ctx.clock.now());
}

/** The default pool's current settings. */
export async function poolSettings(h: Harness) {
  const pool = await h.ctx.repos.pools.findPoolById(h.boot.userPoolId);
  if (!pool) throw new Error("default pool missing");
  return parsePoolSettings(pool.settings);
}
